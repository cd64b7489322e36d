"""The run sections of a model page: results, checkpoint tables, code excerpts (with a diff
against the parent's), run metadata, parameters and the files each tool wrote."""

from __future__ import annotations

import difflib
import json

from mljournal.reading.formats import Part, Table
from mljournal.reading.runs import ParamChange, Run, changed_params
from mljournal.rendering.html import e, number

MANY_PARAMS = 12  # more than this many parameters from one tool are folded away
MAX_DIFF_LINES = 400
MAX_ROWS = 100  # rows of a results or checkpoint table
MAX_PARAMS = 500  # parameters listed from one tool


def results_html(run: Run) -> str:
    """Final results (``{split}_results.json``, a Sacred result, DVCLive's latest values) and
    per-checkpoint tables, one table each."""
    out = []
    for part in run.parts:
        if part.results:
            columns = sorted({name for values in part.results.values() for name in values})
            rows = [[split, *[values.get(c) for c in columns]] for split, values in part.results.items()]
            out.append(_table(Table(f"Results ({_files(part, '_results.json', 'metrics.json', 'run.json')})",
                                    ["", *columns], rows), "mj-results"))
        for table in part.tables:
            out.append(_table(table, "mj-checkpoints"))
    return "".join(out)


def _files(part: Part, *endings: str) -> str:
    named = [f for f in part.files if f.endswith(endings)]
    return ", ".join(named) if named else part.tool


def _table(table: Table, css: str) -> str:
    head = "".join(f'<th{_num_class(i, table)}>{e(c)}</th>' for i, c in enumerate(table.columns))
    body = []
    previous = -1
    for index in _rows_shown(table):
        if index > previous + 1:
            body.append(f'<tr class="mj-more"><td colspan="{len(table.columns)}">… {index - previous - 1} more rows</td></tr>')
        previous = index
        mark = ' class="mj-best"' if index == table.best else ""
        cells = "".join(f"<td{_num_class(i, table)}>{_cell(value)}</td>" for i, value in enumerate(table.rows[index]))
        body.append(f"<tr{mark}>{cells}</tr>")
    return (f'<p class="mj-table-title">{e(table.title)}</p><div class="mj-table-wrap"><table class="{css}">'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


def _rows_shown(table: Table) -> list[int]:
    """The rows of a table shown: all, or (a run that saved 20,000 checkpoints) the first and
    the last MAX_ROWS / 2, and the best row wherever it is."""
    count = len(table.rows)
    if count <= MAX_ROWS:
        return list(range(count))
    shown = set(range(MAX_ROWS // 2)) | set(range(count - MAX_ROWS // 2, count))
    if table.best is not None:
        shown.add(table.best)
    return sorted(shown)


def _num_class(column: int, table: Table) -> str:
    numeric = any(isinstance(row[column], (int, float)) for row in table.rows if column < len(row))
    return ' class="mj-num"' if numeric else ""


def _cell(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return e(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return e(number(value))
    return e(value)


def excerpts_html(run: Run, parent: Run | None, parent_id: str | None) -> str:
    """Each code excerpt, and what changed from the parent's excerpt of the same name."""
    ours = excerpts(run)
    theirs = excerpts(parent) if parent else {}
    out = []
    for name, (text, origin) in sorted(ours.items()):
        where = f' <small>from <code>{e(origin)}</code></small>' if origin else ""
        block = f'<p class="mj-table-title"><code>{e(name)}</code>{where}</p>{_code(name, text)}'
        if name in theirs:
            diff = list(difflib.unified_diff(theirs[name][0].splitlines(), text.splitlines(),
                                             f"{parent_id}/{name}", f"{run.model_id}/{name}", lineterm="", n=2))
            if diff:
                block = (f'<p class="mj-table-title">Changed from <code>{e(parent_id)}</code>:</p>{_diff(diff)}'
                         f'<details class="mj-excerpt"><summary><code>{e(name)}</code> in full</summary>{block}</details>')
            else:
                block += f'<p class="mj-facts">Same as in {e(parent_id)}.</p>'
        out.append(block)
    return "".join(out)


def _code(name: str, text: str) -> str:
    """An excerpt coloured by Pygments in the classes the theme styles (`.highlight .k`, …),
    by its file name's language; plain text when none is known."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_for_filename
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_for_filename(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return f'<pre class="mj-code"><code>{e(text)}</code></pre>'
    return f'<div class="highlight"><pre class="mj-code"><code>{highlight(text, lexer, HtmlFormatter(nowrap=True))}</code></pre></div>'


def excerpts(run: Run) -> dict[str, tuple[str, str]]:
    """Code excerpts by file name: (text, where it comes from), the first tool's of each name."""
    found: dict[str, tuple[str, str]] = {}
    for part in run.parts:
        for name, text in part.excerpts.items():
            found.setdefault(name, (text, part.excerpt_origins.get(name, "")))
    return found


def _diff(lines: list[str]) -> str:
    shown = []
    for line in lines[:MAX_DIFF_LINES]:
        kind = ("mj-add" if line.startswith("+") and not line.startswith("+++")
                else "mj-del" if line.startswith("-") and not line.startswith("---")
                else "mj-hunk" if line.startswith("@@") else "")
        shown.append(f'<span class="{kind}">{e(line)}</span>' if kind else e(line))
    if len(lines) > MAX_DIFF_LINES:
        shown.append(f"… {len(lines) - MAX_DIFF_LINES} more lines")
    return f'<pre class="mj-diff"><code>{chr(10).join(shown)}</code></pre>'


def run_html(run: Run, parent: Run | None = None, parent_id: str | None = None) -> str:
    """Metadata (command, commit, status, times), the parameters each tool recorded (those
    that differ from the parent's marked), the files that were read, and notes (other runs
    or versions in the same folder)."""
    changed = {change.name: change for change in changed_params(run, parent)}
    out = [f'<p class="mj-corrected mj-not-read">{e(run.not_read[0].upper() + run.not_read[1:])}.</p>'] if run.not_read else []
    meta = run.meta
    if meta:
        rows = []
        for label, value in (("command", meta.command), ("commit", meta.commit), ("status", meta.status),
                             ("started", meta.started), ("finished", meta.finished)):
            if value:
                rows.append(f"<tr><th>{label}</th><td><code>{e(value)}</code></td></tr>")
        for key, value in sorted(meta.other.items()):
            rows.append(f'<tr><th class="mj-param">{e(key)}</th><td><code>{e(_text(value))}</code></td></tr>')
        if rows:
            out.append(f'<div class="mj-table-wrap"><table class="mj-run"><tbody>{"".join(rows)}</tbody></table></div>')
        if meta.error:
            out.append(_error_html(meta.error))
        if meta.attempts:
            out.append(_attempts_html(meta.attempts))
    for part in run.parts:
        if not part.params:
            continue
        params = sorted(part.params.items())
        if len(params) > MAX_PARAMS:  # the changed ones first: they are why the table is read
            params = sorted(sorted(params, key=lambda item: item[0] not in changed)[:MAX_PARAMS])
        earlier = _attempt_changes(meta.param_changes if meta and part.tool == "mljournal" else None)
        rows = "".join(_param_row(k, v, changed.get(k), parent_id, earlier.get(k, "")) for k, v in params)
        if len(part.params) > MAX_PARAMS:
            rows += f'<tr class="mj-more"><td colspan="2">… {len(part.params) - MAX_PARAMS} more parameters</td></tr>'
        table = f'<div class="mj-table-wrap"><table class="mj-run mj-params"><tbody>{rows}</tbody></table></div>'
        title = f"Parameters ({e(part.params_from or part.tool)}, {len(part.params)})"
        if len(part.params) > MANY_PARAMS:
            out.append(f'<details class="mj-params-all"><summary>{title}</summary>{table}</details>')
        else:
            out.append(f'<p class="mj-table-title">{title}</p>{table}')
    diff = next((part.diff for part in run.parts if part.diff), None)
    if diff:
        lines = diff.splitlines()
        out.append(f'<details class="mj-git-diff"><summary>Uncommitted changes when the run started '
                   f'({len(lines)} lines of <code>git diff</code>)</summary>{_diff(lines)}</details>')
    sources = "".join(
        f"<li>{e(part.tool)}: {', '.join(f'<code>{e(f)}</code>' for f in _short_list(part.files))}"
        + "".join(f"<br><small>{e(note)}</small>" for note in part.notes) + "</li>"
        for part in run.parts
    )
    if sources:
        out.append(f'<p class="mj-table-title">Read from</p><ul class="mj-sources">{sources}</ul>')
    return "".join(out)


def _attempts_html(text: str) -> str:
    """Each start of a resumed or restarted run: when, how it ended, where an earlier one is kept."""
    try:
        attempts = json.loads(text)
    except ValueError:
        return ""
    rows = []
    for number, attempt in enumerate(a for a in attempts if isinstance(a, dict)):
        error = attempt.get("error") if isinstance(attempt.get("error"), dict) else {}
        ended = str(e(attempt.get("status", "")))  # str: Markup + str would escape the notes added below
        if error:
            ended += f' <small>({e(error.get("type", ""))}: {e(str(error.get("message", ""))[:200])})</small>'
        if attempt.get("curves"):
            ended += f' <small>({e(attempt["curves"])})</small>'
        kept = f'<code>{e(attempt["kept_in"])}/</code>' if attempt.get("kept_in") else "this folder"
        last = attempt.get("last_step")
        rows.append(f'<tr><td class="mj-num">{number + 1}</td><td>{e(attempt.get("started", ""))}</td>'
                    f'<td>{ended}</td><td class="mj-num">{"" if last is None or last < 0 else e(last)}</td><td>{kept}</td></tr>')
    return (f'<p class="mj-table-title">Attempts ({len(rows)})</p><div class="mj-table-wrap"><table class="mj-run mj-attempts">'
            '<thead><tr><th class="mj-num">#</th><th>started</th><th>ended</th><th class="mj-num">last step</th>'
            f'<th>files</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _error_html(text: str) -> str:
    """What a failed run died of, as the recorder kept it; any other JSON is shown as it is."""
    try:
        error = json.loads(text)
    except ValueError:
        error = None
    if not isinstance(error, dict):
        return f'<p class="mj-corrected mj-run-error">Failed: <code>{e(text)}</code></p>'
    frames = [str(frame) for frame in error.get("traceback") or [] if frame]
    said = f'Failed with <code>{e(error.get("type", "an error"))}</code>: {e(error.get("message", ""))}'
    if not frames:
        return f'<p class="mj-corrected mj-run-error">{said}</p>'
    return (f'<details class="mj-run-error failure"><summary>{said}</summary><pre class="mj-code"><code>'
            f'{e(chr(10).join(frames))}</code></pre></details>')


def _param_row(name: str, value: str, change: ParamChange | None, parent_id: str | None, attempts: str = "") -> str:
    if change is None:
        return f'<tr><th class="mj-param">{e(name)}</th><td><code>{e(value)}</code>{attempts}</td></tr>'
    was = "not set" if change.before is None else f"<code>{e(change.before)}</code>"
    return (f'<tr class="mj-changed"><th class="mj-param">{e(name)}</th><td><code>{e(value)}</code> '
            f'<small>was {was} in {e(parent_id)}</small>{attempts}</td></tr>')


def _attempt_changes(text: str | None) -> dict[str, str]:
    """Parameters a resumed run changed, by name: ' (was 0.001 until attempt 2)', as HTML."""
    try:
        changes = json.loads(text) if text else []
    except ValueError:
        return {}
    found: dict[str, list[str]] = {}
    for change in changes if isinstance(changes, list) else []:
        if isinstance(change, dict) and "name" in change:
            found.setdefault(str(change["name"]), []).append(
                f'was <code>{e(_text(change.get("before")))}</code> until attempt {e(change.get("attempt", "?"))}')
    return {name: f' <small>({"; ".join(said)})</small>' for name, said in found.items()}


def _short_list(files: list[str], most: int = 6) -> list[str]:
    if len(files) <= most:
        return files
    return [*files[: most - 1], f"… and {len(files) - most + 1} more files"]


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)
