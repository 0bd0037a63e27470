"""One look for every widget the workbook shows: long option text wraps, HTML reads at normal spacing.

ipywidgets gives radio and check-box labels a fixed height, so a long option overflows onto the next
one (and covers its button), and HTML widgets inherit a 28px line height, which double-spaces wrapped
text. :func:`panel` wraps a widget group with a small style sheet that fixes both. An HTML widget's
value is not sanitised in ipywidgets 8, so the ``<style>`` element applies to the page.

Accessibility (issue 18) lives here too, so every panel gets it: a focus ring that follows the theme's
text colour, visually hidden labels (``nkhr-sr``), and a few lines of script (:data:`A11Y_JS`, run by
the style sheet's hidden image when the panel is drawn) that JupyterLab and ipywidgets give no
Python setting for: plain keys (arrows, letters, space) act on the focused control instead of
JupyterLab's command-mode shortcuts; radio buttons form a named ``radiogroup`` that arrow keys move
through; slider handles and question groups get names; feedback areas (empty when drawn, or marked
``nkhr-live``) are announced (``aria-live``).
"""

from __future__ import annotations

import html

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
.nkhr-ui button:focus-visible, .nkhr-ui input:focus-visible, .nkhr-ui select:focus-visible,
.nkhr-ui textarea:focus-visible, .nkhr-ui .noUi-handle:focus-visible, .nkhr-ui a:focus-visible {
  outline: 3px solid var(--jp-ui-font-color0, #000) !important; outline-offset: 2px !important; }
.nkhr-ui .nkhr-sr, .nkhr-ui .nkhr-sr-label > .widget-label {
  position: absolute !important; width: 1px !important; min-width: 0 !important; height: 1px !important;
  overflow: hidden !important; clip-path: inset(50%) !important; white-space: nowrap !important;
  margin: -1px !important; padding: 0 !important; border: 0 !important; }
.nkhr-ui .nkhr-stack .widget-dropdown { flex-direction: column; align-items: stretch; height: auto; width: 100%; }
.nkhr-ui .nkhr-stack .widget-dropdown > .widget-label { width: auto !important; max-width: 100%; text-align: left;
  white-space: normal; overflow: visible; height: auto; line-height: 1.35; margin: 6px 0 2px 0; }
.nkhr-ui .nkhr-stack .widget-dropdown > select { width: 100%; max-width: 100%; flex: none; }
.nkhr-ui .widget-dropdown > .widget-label b { font-weight: bold; }
.nkhr-ui .nkhr-group .widget-dropdown { max-width: calc(100% - 6px); }
/* Activity cards (china, dialogue, mechanisms): one look, set here rather than inline. */
.nkhr-card { border-left: 4px solid #0072B2; padding: 6px 12px; margin: 4px 0; }
.nkhr-card-role { border-left-color: #009E73; background: #F5FBF8; }
.nkhr-card-option { border-left-color: #E69F00; background: #FFFAF0; margin: 6px 0; }
.nkhr-card-proposal { border-left-color: #E69F00; background: #FFF8EC; }
.nkhr-card-good { border-left-color: #009E73; background: #FAFAFA; }
.nkhr-card-weak { border-left-color: #E69F00; background: #FAFAFA; }
.nkhr-card-bad { border-left-color: #D55E00; background: #FAFAFA; }
.nkhr-card-title { font-size: 1.2em; font-weight: bold; margin: 4px 0; }
.nkhr-bold { font-weight: bold; }
.nkhr-block { margin: 6px 0; }
.nkhr-quote { margin: 4px 0 4px 8px; }
.nkhr-small { font-size: 0.9em; }
.nkhr-note { font-size: 0.95em; }
.nkhr-move { background: #FFF8E1; padding: 4px 8px; }
.nkhr-message { background: #FFF3E0; padding: 4px 8px; margin: 4px 0; }
.nkhr-alert { color: #8A3B00; padding: 6px 0; font-weight: bold; }
.nkhr-agenda { font-size: 0.97em; }
.nkhr-agenda table { border-collapse: collapse; width: 100%; }
.nkhr-agenda tr.nkhr-head { text-align: left; border-bottom: 2px solid #999; }
.nkhr-agenda tr.nkhr-row { border-bottom: 1px solid #DDD; vertical-align: top; }
.nkhr-facts { border-collapse: collapse; max-width: 60em; }
.nkhr-facts th { text-align: left; vertical-align: top; padding: 3px 10px 3px 0; white-space: nowrap; }
.nkhr-facts td { text-align: left; padding: 3px 0; }
.nkhr-rule { margin: 6px 0; }
</style>"""


# Runs once per panel (the style sheet's image fails to load on purpose and runs it). Plain JS, no extension.
A11Y_JS = """(function (img) {
  var root = img.closest('.nkhr-ui');
  if (!root || root.hasAttribute('data-nkhr-a11y')) return;
  root.setAttribute('data-nkhr-a11y', '1');
  root.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.key === 'Tab' || e.key === 'Escape' || (e.shiftKey && e.key === 'Enter')) return;
    if (e.target.matches(':read-write')) return;
    e.stopPropagation();
  });
  function id(el) { if (!el.id) el.id = 'nkhr-' + Math.random().toString(36).slice(2, 10); return el.id; }
  function own(el) {
    var l = el && el.querySelector(':scope > .widget-label');
    return l && l.textContent.trim() ? l : null;
  }
  function named(el) {
    return el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') ||
      (el.labels && el.labels.length && el.labels[0].textContent.trim());
  }
  function groupLabel(el) {
    var g = el.closest('.nkhr-group');
    return g ? g.querySelector('.nkhr-group-label') : null;
  }
  function fix() {
    root.querySelectorAll('.nkhr-group').forEach(function (g) {
      var l = g.querySelector('.nkhr-group-label');
      if (l && !g.getAttribute('role')) {
        g.setAttribute('role', g.querySelector('.widget-radio-box') ? 'presentation' : 'group');
        if (g.getAttribute('role') === 'group') g.setAttribute('aria-labelledby', id(l));
      }
    });
    root.querySelectorAll('.widget-radio-box').forEach(function (box) {
      if (box.getAttribute('role') === 'radiogroup') return;
      var l = groupLabel(box) || own(box.parentElement);
      box.setAttribute('role', 'radiogroup');
      if (l) box.setAttribute('aria-labelledby', id(l));
      box.querySelectorAll('input[type=radio]').forEach(function (r) { r.name = id(box); });
    });
    root.querySelectorAll('.noUi-handle, select, textarea, input[type=text], input[type=number]').forEach(function (c) {
      if (named(c)) return;
      var l = own(c.closest('.widget-slider, .widget-hslider, .widget-dropdown, .widget-textarea, .widget-text')) || groupLabel(c);
      if (l) c.setAttribute('aria-labelledby', id(l));
    });
    root.querySelectorAll('.widget-html-content').forEach(function (h) {
      if (h.hasAttribute('data-nkhr-seen')) return;
      h.setAttribute('data-nkhr-seen', '1');
      if (!h.textContent.trim() || h.querySelector('.nkhr-feedback') || h.closest('.nkhr-live')) h.setAttribute('aria-live', 'polite');
    });
  }
  new MutationObserver(fix).observe(root, {childList: true, subtree: true});
  fix();
})(this)"""

_RUNNER = f'<img src="data:," alt="" hidden onerror="{html.escape(A11Y_JS, quote=True)}">'


def group(children: list[w.Widget], name: str) -> w.VBox:
    """Children forming one question, named ``name`` for assistive technology (a hidden label).

    The page script in :data:`A11Y_JS` makes it a ``group`` (or its radio buttons a ``radiogroup``)
    labelled by ``name``, and names any unnamed control inside (a slider handle, a text box) the same.
    """
    label = w.HTML(f'<span class="nkhr-group-label" hidden>{html.escape(name)}</span>',
                   layout=w.Layout(height="0px", margin="0"))
    box = w.VBox([label, *children], layout=w.Layout(width="100%"))
    box.add_class("nkhr-group")
    return box


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
    box = Panel([w.HTML(CSS + _RUNNER, layout=w.Layout(height="0px", margin="0")), *children],
                layout=w.Layout(**layout))
    box.placeholder = placeholder
    box.add_class("nkhr-ui")
    if form:
        box.add_class("nkhr-form")
    return box
