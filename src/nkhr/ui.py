"""One look for every widget the workbook shows: long option text wraps, HTML reads at normal spacing.

ipywidgets gives radio and check-box labels a fixed height, so a long option overflows onto the next
one (and covers its button), and HTML widgets inherit a 28px line height, which double-spaces wrapped
text. :func:`panel` wraps a widget group with a small style sheet that fixes both. An HTML widget's
value is not sanitised in ipywidgets 8, so the ``<style>`` element applies to the page.
"""

from __future__ import annotations

import ipywidgets as w

CSS = """<style>
.nkhr-ui .widget-radio-box { height: auto !important; overflow: visible; }
.nkhr-ui .widget-radio-box label, .nkhr-ui .widget-checkbox label.widget-label-basic {
  display: flex !important; flex-direction: row; align-items: flex-start;
  height: auto !important; min-height: 24px; line-height: 1.35 !important; white-space: normal !important;
  padding: 3px 0; overflow: visible; }
.nkhr-ui .widget-radio-box label input, .nkhr-ui .widget-checkbox input {
  float: none !important; order: -1; flex: none; height: auto !important; margin: 2px 8px 0 1px !important; }
.nkhr-ui .widget-checkbox { height: auto !important; }
.nkhr-ui .widget-checkbox label span { white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
.widget-html-content { line-height: 1.45 !important; }
.nkhr-ui .widget-html, .nkhr-ui .widget-html-content { height: auto; }
.nkhr-ui select { max-width: 100%; }
.nkhr-ui .widget-inline-hbox .widget-label { min-width: 0; }
/* A saved notebook reopened without its kernel: one friendly line instead of a broken-link icon per widget */
.nkhr-ui .jupyter-widgets-disconnected::before { content: none; }
.nkhr-ui.jupyter-widgets-disconnected::before {
  content: "▶ Run this cell (Shift+Enter) to use this again."; font: inherit; font-style: italic;
  color: var(--jp-ui-font-color1, #222); padding: 2px 0 6px 0; display: block; }
.nkhr-ui.nkhr-form.jupyter-widgets-disconnected::before {
  content: "▶ Run this cell (Shift+Enter) to change your answer; what is recorded is shown below."; }
</style>"""


RUN_ME = "▶ Run this cell (Shift+Enter) to use this activity."


class Panel(w.VBox):
    """A VBox whose plain-text form is a friendly line, not ``VBox(children=…)``.

    JupyterLab shows that text where it cannot draw the widget: a lesson from a fresh clone (not
    trusted yet) or a saved notebook opened without its kernel.
    """

    placeholder = RUN_ME

    def __repr__(self) -> str:
        return self.placeholder


def panel(children: list[w.Widget], *, placeholder: str = RUN_ME, form: bool = False, **layout: str) -> w.VBox:
    """A VBox of ``children`` carrying the workbook's style sheet and the ``nkhr-ui`` class.

    ``placeholder`` is what viewers that cannot draw the widgets show instead; ``form`` marks an
    answer form (its line, when reopened without a kernel, speaks of changing the answer).
    """
    box = Panel([w.HTML(CSS, layout=w.Layout(height="0px", margin="0")), *children], layout=w.Layout(**layout))
    box.placeholder = placeholder
    box.add_class("nkhr-ui")
    if form:
        box.add_class("nkhr-form")
    return box
