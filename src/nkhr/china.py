"""Lesson 04 — China's role: charts and widgets.

Everything shown comes from ``readings/china.csv`` (how each reading casts China),
``readings/figures.csv`` (the Freedom House scores) and the scenario texts below, whose
quotations are verbatim from the readings (``tests/test_china.py`` checks them).

Public functions:

* :func:`freedom_house_pair` — North Korea and China on the Freedom House figures Lee (2022) gives.
* :func:`roles_by_reading` — which roles each reading gives China, by date (text labels, not colour alone).
* :func:`role_explorer` — pick a role, read every passage that casts China in it.
* :func:`scenario` / :func:`scenario_feedback` — predict China's position on a proposal and see what the
  readings suggest (the widget and the pure function behind it).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import matplotlib.patches

from . import charts, explore, ui
from .charts import PALETTE, Chart, fmt_number
from .data import DataError, by_id, load
from .explore import quote_card

# ---------------------------------------------------------------- the roles (the fixed set used in china.csv)

ROLES: dict[str, str] = {  # id -> label, in the order the chart lists them
    "example_of_change": "Example of change",
    "chair_broker": "Six-Party chair, possible broker",
    "neighbour_aid_refugees": "Neighbour: aid and refugee flows",
    "implied_not_named": "Not named, but implied",
    "veto_holder": "Veto holder",
    "border_repatriation": "Border state: forced repatriation",
    "shared_vulnerability": "Fellow target of criticism",
    "un_influence": "Rising influence at the UN",
    "complicit": "Complicit (Lee's charge)",
}

NOT_MENTIONED = "China not mentioned"


def _short(source_id: str) -> str:
    return by_id("sources.csv").get(source_id, {}).get("short", source_id)


def _para(row: dict) -> int | None:
    """The paragraph of a row's quote in its reading (china.csv's ``para`` column; tests check it)."""
    try:
        return int(row.get("para") or 0) or None
    except ValueError:
        return None


def china_rows() -> list[dict]:
    """The rows of ``readings/china.csv``, each checked to use a role from :data:`ROLES`."""
    rows = load("china.csv")
    for row in rows:
        if row["role"] not in ROLES:
            raise DataError(f"readings/china.csv, row {row['id']}: unknown role {row['role']!r} "
                            f"(use one of {', '.join(ROLES)}).")
    return rows


# ---------------------------------------------------------------- chart 1: Freedom House, North Korea and China

FH_BARS = (  # (label, figures.csv id); the difference's label gets its arithmetic from the data
    ("North Korea\n(Freedom House 2022)", "fh2022_nk_total"),
    ("China\n(year not stated by Lee)", "fh_china_total_lee2022"),
    ("Difference\n(derived: {cn} − {nk})", "fh_china_minus_nk"),
)


@charts.friendly
def freedom_house_pair() -> Chart:
    """North Korea's and China's Freedom House totals as Lee (2022) gives them, and their (derived) difference."""
    f = by_id("figures.csv")
    top = f["fh2022_total_max"]["value"]
    title = "North Korea and China: Freedom House scores Lee (2022) cites"
    fig, ax = charts.new_figure(title, (11, 4.4))
    plotted = []
    colours = {"fh2022_nk_total": PALETTE["vermillion"], "fh_china_total_lee2022": PALETTE["blue"]}
    for i, (label, rid) in enumerate(FH_BARS):
        r = f[rid]
        derived = r["kind"] == "derived"
        if not derived:
            ax.barh(i, top, color="#EEEEEE", height=0.6, edgecolor="#BBBBBB")
            plotted.append(("fh2022_total_max", top))
        ax.barh(i, r["value"], height=0.6, color="white" if derived else colours[rid],
                edgecolor=PALETTE["black"] if derived else colours[rid],
                hatch=charts.DERIVED_HATCH if derived else None)
        text = (f"{fmt_number(r['value'])} points (derived)" if derived
                else f"{fmt_number(r['value'])} of {fmt_number(top)}")
        ax.annotate(text, (r["value"], i), xytext=(8, 0), textcoords="offset points", va="center",
                    fontsize=14, fontweight="bold")
        plotted.append((rid, r["value"]))
    nk, cn, diff = (f[rid]["value"] for _, rid in FH_BARS)
    ax.set_yticks(range(len(FH_BARS)), [b[0].format(cn=fmt_number(cn), nk=fmt_number(nk)) for b in FH_BARS])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.05)
    ax.set_xlabel(f"score out of {fmt_number(top)} (grey bar = maximum possible; higher = freer)")
    alt = (f"Bar chart. North Korea scored {fmt_number(nk)} out of {fmt_number(top)} in Freedom House's 2022 index; "
           f"China scored {fmt_number(cn)} out of {fmt_number(top)}, Lee (2022) not saying which year's index. "
           f"A hatched bar shows the workbook's derived difference, {fmt_number(cn)} − {fmt_number(nk)} = "
           f"{fmt_number(diff)} points. Both scores sit near the bottom of the scale.")
    note = ("Lee names the 2022 index for North Korea but gives no year for China's score; the hatched difference "
            "is the workbook's arithmetic and assumes both come from the same year's index.")
    return charts.finish(fig, title, ["lee2022"], alt, plotted, note)


# ---------------------------------------------------------------- chart 2: roles by reading over time

def role_grid() -> tuple[list[dict], list[str], dict[tuple[str, str], list[dict]]]:
    """(the five readings in date order, the roles used, {(source id, role): rows}) from china.csv."""
    readings = sorted(load("sources.csv"), key=lambda s: s["date"])
    rows = china_rows()
    cells: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        cells.setdefault((row["source"], row["role"]), []).append(row)
    used = [role for role in ROLES if any(r["role"] == role for r in rows)]
    return readings, used, cells


def _cell_text(rows: list[dict]) -> str:
    paras = sorted({p for p in (_para(r) for r in rows) if p})
    if not paras:
        return f"{len(rows)} passage" + ("s" if len(rows) > 1 else "")
    return ("para. " if len(paras) == 1 else "paras. ") + ", ".join(str(p) for p in paras)


@charts.friendly
def roles_by_reading() -> Chart:
    """Which roles each of the five readings gives China, in date order: a grid labelled with paragraph numbers."""
    readings, roles, cells = role_grid()
    title = "How the readings cast China, 2010–2022"
    fig, ax = charts.new_figure(title, (13, 1.9 + 0.72 * len(roles)))
    plotted = []
    for x, s in enumerate(readings):
        has_any = any((s["id"], role) in cells for role in roles)
        if not has_any:
            ax.add_patch(matplotlib.patches.Rectangle((x - 0.45, -0.45), 0.9, len(roles) - 0.1,
                                                      facecolor="#F2F2F2", edgecolor="none", zorder=0))
            ax.text(x, (len(roles) - 1) / 2, NOT_MENTIONED, rotation=90, ha="center", va="center",
                    fontsize=13, color="#444444")
            continue
        for y, role in enumerate(roles):
            rows = cells.get((s["id"], role))
            if not rows:
                continue
            implied = role == "implied_not_named"
            ax.scatter([x - 0.3], [y], s=190, marker="o", zorder=3,
                       facecolors="white" if implied else PALETTE["blue"],
                       edgecolors=PALETTE["grey"] if implied else PALETTE["blue"], linewidths=2)
            label = ("implied: " if implied else "") + _cell_text(rows)
            ax.text(x - 0.18, y, label, va="center", ha="left", fontsize=12)
            plotted += [(r["id"], float(x)) for r in rows]
    ax.set_xticks(range(len(readings)), [f"{s['short']}\n({_month(s['date'])})" for s in readings])
    ax.set_yticks(range(len(roles)), [ROLES[r] for r in roles])
    ax.set_xlim(-0.55, len(readings) - 0.45)
    ax.set_ylim(len(roles) - 0.5, -0.5)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0, labelsize=12.5)
    ax.tick_params(axis="y", length=0)
    ax.spines[["left", "bottom"]].set_visible(False)
    for y in range(len(roles)):
        ax.axhline(y + 0.5, color="#DDDDDD", linewidth=0.8, zorder=1)
    for x in range(len(readings) - 1):
        ax.axvline(x + 0.5, color="#DDDDDD", linewidth=0.8, zorder=1)
    parts = []
    for s in readings:
        found = [ROLES[role] for role in roles if (s["id"], role) in cells]
        parts.append(f"{s['short']}: " + ("; ".join(found) if found else "does not mention China") + ".")
    alt = ("Grid with the five readings in date order across the top and China's roles down the side; a dot "
           "marks each role a reading gives China, labelled with the paragraph(s). " + " ".join(parts))
    note = ("Filled dot = China named; hollow dot = not named, the link is the workbook's inference. "
            "Paragraph numbers as in readings/README.md.")
    return charts.finish(fig, title, [s["id"] for s in readings if any((s["id"], r) in cells for r in roles)],
                         alt, plotted, note, table="china.csv", noun="passage")


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _month(iso: str) -> str:
    """'2010-06-16' -> 'June 2010'; a bare year stays as it is."""
    parts = iso.split("-")
    return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}" if len(parts) >= 2 else iso


# ---------------------------------------------------------------- the role explorer

def role_card(role: str) -> str:
    """HTML: every passage of china.csv that casts China in ``role``, oldest first (a message if none)."""
    if role not in ROLES:
        return f"<p><b>Unknown role:</b> {html.escape(str(role))}. Choose one from the list.</p>"
    rows = sorted((r for r in china_rows() if r["role"] == role), key=lambda r: r["date"])
    if not rows:
        return f"<p>No reading casts China as “{html.escape(ROLES[role])}”.</p>"
    cards = []
    for r in rows:
        para = _para(r)
        where = f"{_short(r['source'])}" + (f", para. {para}" if para else "")
        cards.append(quote_card(r["quote"], r["source"], heading=html.escape(where),
                                extra=f"In our words: {html.escape(r['summary'])}"))
    return "".join(cards)


@explore.guarded("The roles cannot be shown")
def role_explorer() -> None:
    """A dropdown of the roles; shows each passage that casts China in the chosen role."""

    from .explore import explorer

    rows = china_rows()
    options = [(f"{label} ({sum(r['role'] == role for r in rows)})", role)
               for role, label in ROLES.items() if any(r["role"] == role for r in rows)]
    explorer(options, role_card, label="China as:")


# ---------------------------------------------------------------- the scenario exercise

PREDICTIONS: dict[str, str] = {
    "support": "Support",
    "oppose": "Oppose",
    "conditional": "Conditional: support only on certain terms",
}


@dataclass(frozen=True)
class Argument:
    """An argument a student might put to China, and what the readings say about its chances."""

    label: str
    feedback: str  # HTML, our words with short verbatim quotations
    fit: str  # "strong", "some" or "weak": how well the readings support it moving China


@dataclass(frozen=True)
class Scenario:
    """A proposal, what the readings suggest about China's position, and arguments to weigh."""

    title: str
    setup: str  # HTML
    readings_view: str  # HTML: what the readings suggest, and how firmly
    predictions: dict[str, str]  # prediction id -> HTML feedback
    arguments: dict[str, Argument]
    quotes: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (verbatim quote, source id)
    background: str = ""  # HTML: general background, not from the readings (kept minimal)


BACKGROUND = ("<b>General background, not from the readings:</b> ")

SCENARIOS: dict[str, Scenario] = {
    "icc": Scenario(
        title="A Security Council referral of North Korea to the International Criminal Court",
        setup=("In 2014 the Commission of Inquiry recommended that the Security Council refer North Korea to the "
               "International Criminal Court (Son 2017, para. 6). Suppose a draft resolution making that referral is "
               "put to the Council. China is a permanent member with a veto."),
        readings_view=("The readings expect China to block it. Son (2017) says a referral is unlikely while Russia and "
                       "China hold a veto; Lee (2022) describes China and Russia resisting UN human-rights resolutions. "
                       "Both are <i>forecasts and judgements</i>: none of the readings reports an actual Council vote on "
                       "a referral."),
        predictions={
            "oppose": ("Your prediction matches what the readings expect. Son (2017) treats the veto as the block; "
                       "Lee (2022) adds that China, with Russia, has been resisting human-rights resolutions and "
                       "courting swing states."),
            "conditional": ("Defensible as a thought experiment, but the readings name no terms on which China would "
                            "accept a referral. If you have a condition in mind, ask what in the readings supports it. "
                            "Lee's (2022) point that China is itself a target of criticism suggests a reason it would "
                            "resist any precedent of this kind (our inference from Lee, not her words)."),
            "support": ("Nothing in the readings points this way. Son (2017) expects the veto to stop a referral, and "
                        "by 2022 Lee describes China working against UN human-rights resolutions. If you predicted "
                        "support, say what would have to change, and check it against the dates: the readings that "
                        "discuss the referral were written in 2017 and 2022."),
        },
        arguments={
            "precedent": Argument(
                "No government should be above international law: a referral shows that crimes against humanity "
                "have consequences.",
                ("This is the accountability case in its strongest form, and the Commission of Inquiry made it. But "
                 "by Lee's (2022) own analysis it is the argument least likely to move China: China “shares a "
                 "vulnerability with North Korea” as a fellow target of criticism (para. 17), so a precedent for "
                 "prosecuting a government over how it treats its own people is one it has reason to resist. (That "
                 "last step is our inference from Lee.)"),
                "weak"),
            "coalition": Argument(
                "This is not a Western campaign: African, Asian and Latin American states voted for accountability too.",
                ("Of the four, this speaks most directly to the charge that the pressure is Western “politicization”. "
                 "Cohen (2014, para. 7) notes that the Human Rights Council's 2014 vote for the COI report and an "
                 "“international criminal justice mechanism” included 12 African and Asian states and 6 Latin "
                 "American ones. Lee (2022, para. 17) reports China and Russia trying to bring “swing states” to "
                 "their side, so those states matter to China. But no reading claims this would change a veto: "
                 "at best it raises the diplomatic cost of casting one."),
                "some"),
            "stability": Argument(
                "Accountability now will bring stability later and fewer refugees on China's border.",
                ("Cohen (2010, para. 15) does report that refugee flows weigh on China, but she ties that to "
                 "<i>multilateral cooperation</i>, not to prosecution. No reading argues that a referral would reduce "
                 "refugee flows; a government that puts stability first may well read a referral as destabilising. "
                 "A weak fit with the readings."),
                "weak"),
            "elsewhere": Argument(
                "None: expect the veto, and pursue accountability by other routes (documentation, sanctions, "
                "coalitions outside the UN).",
                ("This is where the readings lead. Son (2017, para. 10) sees a referral as unlikely while the veto "
                 "stands, and Lee (2022, para. 18) wants “a new platform outside of the realm of the UN”. It is not an "
                 "argument <i>to</i> China at all, and that is the point: the readings name no argument that would "
                 "move China here. The cost, which Lee herself notes, is that the rest of the world still has to "
                 "“convince and engage ‘different-minded countries.’” (para. 18)."),
                "strong"),
        },
        quotes=(
            ("Certainly, ICC referral by the UN Security Council is unlikely to be achieved as long as Russia and "
             "China retain a veto.", "son2017"),
            ("Recently, China and Russia have resisted UN-led human rights resolutions and have made moves to bring "
             "swing states to their side.", "lee2022"),
        ),
        background=(BACKGROUND + "China's government has long described non-interference in other states' internal "
                    "affairs as a principle of its foreign policy, and it is not a party to the Rome Statute of the "
                    "ICC. Read its likely position with that in mind, and look up its own statements rather than "
                    "relying on its critics."),
    ),
    "aid": Scenario(
        title="A humanitarian access deal",
        setup=("Suppose UN agencies and the International Committee of the Red Cross negotiate a deal: North Korea "
               "admits monitored food and medical aid, including tuberculosis and nutrition programmes in prisons it "
               "has acknowledged (the start Wertz 2014 proposed). Donors ask China to back the deal and contribute."),
        readings_view=("The readings do not report China's position on any aid deal. The one reading that discusses "
                       "China and aid, Cohen (2010), suggests China might <i>welcome</i> sharing the load; Lee (2022) "
                       "shows North Korea still looking to China for aid. So <b>support</b> and <b>conditional "
                       "support</b> are both defensible; opposition has least support in the readings."),
        predictions={
            "support": ("Defensible. Cohen (2010, para. 15) thinks China might find multilateral cooperation on food "
                        "and energy aid helpful, since these have become burdens. Note how cautious she is "
                        "(“it is conceivable”), and that it is a 2010 judgement based on press reports."),
            "conditional": ("Defensible, and perhaps the most careful answer. The readings give China reasons to "
                            "welcome shared aid (Cohen 2010) but say nothing about its terms. A natural guess is that "
                            "China would want North Korea's own consent and no link to pressure on Pyongyang; that "
                            "guess rests on general background, not on the readings."),
            "oppose": ("The readings give least support to this. Nothing in them suggests China objects to aid "
                       "reaching North Koreans, and Cohen (2010) suggests the opposite. You might still predict "
                       "opposition if the deal put monitors inside prisons, but that is your reasoning, not the "
                       "readings': say so if you argue it."),
        },
        arguments={
            "burden": Argument(
                "Sharing the load: a multilateral deal spreads the cost of aid to North Korea and eases pressure on "
                "China's border.",
                ("The best-grounded choice. Cohen (2010, para. 15) names food and energy aid and potential refugee "
                 "flows as concerns “reported to have become burdensome to China”, and suggests China might find "
                 "multilateral cooperation on them helpful. Lee (2022, para. 7) shows North Korea still seeking aid "
                 "“from the outside (China)”; a deal that brings in other donors would spread that load (our "
                 "inference)."),
                "strong"),
            "non_refoulement": Argument(
                "Make the deal depend on China ending forced repatriation of North Koreans who cross its border.",
                ("A legitimate goal: Lee (2022, para. 17) reports growing demands that China respect non-refoulement. "
                 "But tying it to this deal turns a cooperative proposal into pressure on China itself, and the "
                 "readings give no sign that such pressure has changed China's border policy. Likely to cost the "
                 "deal China's support; the readings suggest pursuing it on its own track."),
                "weak"),
            "documentation": Argument(
                "Aid workers in prisons will document abuses and build the case for accountability.",
                ("Wertz (2014) does note that aid workers could observe conditions, but he presents the deal as "
                 "cooperation in the interests of both North Korean authorities and the international community. "
                 "Selling it as evidence-gathering would likely alarm Pyongyang, whose consent the deal needs, and "
                 "gives China no reason of its own to back it."),
                "weak"),
            "no_access_no_aid": Argument(
                "Monitoring is a shared standard: North Korea itself has accepted “no access, no aid”.",
                ("Grounded in Cohen (2010, para. 11): at its first Universal Periodic Review North Korea acknowledged the principle of “no "
                 "access, no aid”. Framing monitoring as a standard Pyongyang has already accepted, rather than as "
                 "an outside demand, answers a sovereignty objection. The readings do not say how China would "
                 "respond, so this is a reasonable but untested bet."),
                "some"),
        },
        quotes=(
            ("China might find multilateral cooperation helpful on issues such as food and energy aid to North Korea "
             "and potential refugee flows, concerns reported to have become burdensome to China", "cohen2010"),
            ("receive greater economic aid from the outside (China)", "lee2022"),
        ),
        background=(BACKGROUND + "China's government generally stresses that humanitarian assistance should have the "
                    "consent of the state that receives it."),
    ),
    "forum": Scenario(
        title="A regional security forum with a human-rights basket",
        setup=("Suppose the states of the old Six-Party Talks set up a standing Northeast Asian forum for peace and "
               "security, with a <i>basket</i> on human rights and humanitarian issues, on the model of the "
               "<a href=\"../readings/glossary.md#helsinki-process\" target=\"_blank\">Helsinki process</a> "
               "(Cohen 2010, para. 15; Cohen 2014, para. 11)."),
        readings_view=("Cohen (2010) hoped for exactly this and saw China as the key: its support “would be needed”, "
                       "it chaired the Six-Party Talks, and its government was reported to be divided. That points to "
                       "<b>conditional support</b>. Lee (2022), twelve years later, describes a China expanding its "
                       "influence at the UN and resisting human-rights resolutions, which points toward more caution."),
        predictions={
            "conditional": ("Closest to the readings. Cohen (2010, para. 15) makes China's support the condition of the "
                            "whole idea, and hints at the terms: wait “once tensions begin to subside”, and start with "
                            "humanitarian problems China shares (aid, refugee flows). By 2022 (Lee) those terms may "
                            "be harder to meet."),
            "support": ("Cohen (2010) hoped for it, but her own wording is careful: China's support “would be needed”, "
                        "which means it could not be assumed. If you predict outright support, what in the readings "
                        "after 2010 supports it?"),
            "oppose": ("Defensible if you give more weight to the later reading: Lee (2022) describes China's "
                       "non-cooperation at the UN and growing US–China rivalry. But note that in this forum China "
                       "would be a founding member, not the target; no reading reports China's view of such a forum."),
        },
        arguments={
            "chair": Argument(
                "It builds on China's own diplomacy: China chaired the Six-Party Talks, which already had a working "
                "group on a peace and security mechanism.",
                ("Well grounded in Cohen (2010, para. 15): a multilateral mechanism was hoped to “emanate from the Six "
                 "Party Talks”, and China chaired them. Appealing to a process China led treats it as a broker rather "
                 "than a defendant."),
                "strong"),
            "humanitarian_first": Argument(
                "Start the human-rights basket with shared humanitarian problems: aid, refugee flows, separated families.",
                ("Also well grounded: Cohen (2010, para. 15) suggests China might find multilateral cooperation helpful "
                 "on aid and refugee flows, and she proposes separated families as a starting point (para. 13). The "
                 "risk, in Son's (2017) terms, is a basket stuck on ‘soft’ targets; the harder issues would have to "
                 "follow."),
                "strong"),
            "like_minded": Argument(
                "Let the like-minded democracies set the human-rights agenda, then invite China to join.",
                ("Lee's (2022, paras. 11 and 18) like-minded coalition is centred on South Korea, the United States and "
                 "Europe, partly <i>because</i> of China's influence at the UN. Presented to China, a forum whose agenda "
                 "they set looks like a coalition against it. Lee herself adds the need to “convince and engage "
                 "‘different-minded countries.’”"),
                "weak"),
            "sovereignty": Argument(
                "Open with the principle that sovereignty is a responsibility to one's citizens.",
                ("Cohen (2014, para. 12) puts <a href=\"../readings/glossary.md#sovereignty-as-responsibility\" "
                 "target=\"_blank\">sovereignty as responsibility</a> first on the agenda of a dialogue with "
                 "<i>North Korea</i>. As the opening item of a forum China must join, it confronts head-on the "
                 "principle of non-interference China's government stresses (general background). It may belong "
                 "in the forum, but probably not as its first item."),
                "some"),
        },
        quotes=(
            ("While China’s support would be needed, it did chair the Six Party Talks", "cohen2010"),
            ("divisions are reported within the Chinese government and its think tanks over how to deal with peace "
             "and security on the Korean peninsula", "cohen2010"),
            ("It could become the basis for the creation of a multilateral framework for peace and security in "
             "Northeast Asia.", "cohen2014"),
        ),
        background=(BACKGROUND + "the Six-Party Talks (China, the United States, both Koreas, Japan and Russia) were "
                    "suspended in 2009, when North Korea withdrew from them."),
    ),
}

FIT_WORDS = {
    "strong": "The readings give this argument the most support.",
    "some": "The readings give this argument some support.",
    "weak": "The readings give this argument little support as a way to move China.",
}


def scenario_intro(pid: str) -> str:
    """HTML card: the proposal and the question (visible in any viewer, before any answer)."""
    sc = SCENARIOS.get(pid)
    if sc is None:
        return f"<p><b>Unknown proposal:</b> {html.escape(str(pid))}. Choose one of: {', '.join(SCENARIOS)}.</p>"
    return ('<div style="border-left:4px solid #E69F00;padding:6px 12px;margin:4px 0;background:#FFF8EC">'
            f'<div style="font-size:1.15em;font-weight:bold">Proposal: {html.escape(sc.title)}</div>'
            f'<div style="margin:6px 0">{sc.setup}</div>'
            "<div><b>1.</b> Predict China's position. <b>2.</b> Choose the argument most likely to move it. "
            "<b>3.</b> Press <i>Show feedback</i>. There is no single right answer where the readings do not settle "
            "it: the feedback explains their reasoning.</div></div>")


def scenario_feedback(pid: str, prediction: str | None, argument: str | None) -> str:
    """HTML feedback on a prediction and an argument for one proposal.

    Handles every combination, including nothing chosen and unknown ids, with a plain message.
    """
    sc = SCENARIOS.get(pid)
    if sc is None:
        return f"<p><b>Unknown proposal:</b> {html.escape(str(pid))}. Choose one of: {', '.join(SCENARIOS)}.</p>"
    if not prediction and not argument:
        return "<p>Choose a prediction and an argument first, then press <i>Show feedback</i>.</p>"
    parts = []
    if prediction in sc.predictions:
        parts.append(f"<p><b>Your prediction: {html.escape(PREDICTIONS[prediction])}.</b> {sc.predictions[prediction]}</p>")
    elif prediction:
        parts.append(f"<p><b>Unknown prediction:</b> {html.escape(str(prediction))}. "
                     f"Choose one of: {', '.join(PREDICTIONS.values())}.</p>")
    else:
        parts.append("<p><b>No prediction yet.</b> Choose Support, Oppose or Conditional to see how it fits the readings.</p>")
    if argument in sc.arguments:
        a = sc.arguments[argument]
        parts.append(f"<p><b>Your argument:</b> <i>{html.escape(a.label)}</i><br>{FIT_WORDS[a.fit]} {a.feedback}</p>")
    elif argument:
        parts.append(f"<p><b>Unknown argument:</b> {html.escape(str(argument))}. Choose one from the list.</p>")
    else:
        parts.append("<p><b>No argument yet.</b> Choose the argument you think most likely to move China.</p>")
    strongest = [a.label for a in sc.arguments.values() if a.fit == "strong"]
    parts.append(f"<p><b>What the readings suggest.</b> {sc.readings_view} Best supported by the readings: "
                 + " / ".join(f"<i>{html.escape(s.rstrip('.'))}</i>" for s in strongest) + ".</p>")
    parts += [quote_card(q, sid, extra="") for q, sid in sc.quotes]
    if sc.background:
        parts.append(f'<p style="font-size:0.92em">{sc.background}</p>')
    return "".join(parts)


def scenario_form(pid: str):
    """The interactive part for one known proposal: prediction, argument, button, feedback (an ipywidgets VBox)."""
    import ipywidgets as w

    sc = SCENARIOS[pid]
    predict = w.RadioButtons(options=[(label, key) for key, label in PREDICTIONS.items()], index=None,
                             description="China's position:", style={"description_width": "initial"},
                             layout=w.Layout(width="auto"))
    argue = w.RadioButtons(options=[(a.label, key) for key, a in sc.arguments.items()], index=None,
                           description="Best argument:", style={"description_width": "initial"},
                           layout=w.Layout(width="auto", max_width="100%"))
    button = w.Button(description="Show feedback", button_style="primary")
    out = w.HTML("")
    button.on_click(lambda _: setattr(out, "value", scenario_feedback(pid, predict.value, argue.value)))
    return w.VBox([predict, argue, button, out])


def scenario(pid: str) -> None:
    """Show one proposal with a prediction, an argument and a feedback button (the lesson's scenario exercise)."""
    from IPython.display import HTML, display

    display(HTML(scenario_intro(pid)))
    if pid in SCENARIOS:
        display(ui.panel([scenario_form(pid)]))


def scenario_quotes() -> list[tuple[str, str]]:
    """Every (quote, source id) the scenarios display, for provenance tests."""
    return [q for sc in SCENARIOS.values() for q in sc.quotes]


__all__ = [
    "ROLES", "PREDICTIONS", "SCENARIOS", "china_rows", "freedom_house_pair", "role_grid", "roles_by_reading",
    "role_card", "role_explorer", "scenario_intro", "scenario_feedback", "scenario_form", "scenario", "scenario_quotes",
]
