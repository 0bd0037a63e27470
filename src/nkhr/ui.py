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


def panel(children: list[w.Widget], **layout: str) -> w.VBox:
    """A VBox of ``children`` carrying the workbook's style sheet and the ``nkhr-ui`` class."""
    box = w.VBox([w.HTML(CSS, layout=w.Layout(height="0px", margin="0")), *children], layout=w.Layout(**layout))
    box.add_class("nkhr-ui")
    return box
