"""Index the journal: entries + runs -> models with lineage, mentions, sections and corrections.

Pure data, no rendering and no MkDocs: whatever engine builds the site reads a JournalIndex.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from mljournal.cache import Bundle
from mljournal.errors import Diagnostic, did_you_mean, summarised
from mljournal.ids import find_mentions, id_tokens, mentions_among, split_family
from mljournal.reading.entries import MAX_MODELS, Entry, read_entries
from mljournal.reading.runs import Run, RunsRead, read_runs
from mljournal.reading.sections import Section, find_sections, heading_lookup, near_misses, template_left
from mljournal.reading.names import metric_groups
from mljournal.settings import STATUSES, Settings

MAX_MENTIONS = MAX_MODELS  # models an entry's text can put it beside, as its front matter can


@dataclass
class Model:
    id: str
    entries: list[Entry] = field(default_factory=list)  # about it, oldest first
    mentions: list[Entry] = field(default_factory=list)  # mention it in their text
    parent: str | None = None
    parent_known: bool = False
    children: list[str] = field(default_factory=list)
    run: Run | None = None
    status: str | None = None
    tags: tuple[str, ...] = ()
    sections: dict[str, list[tuple[Entry, Section]]] = field(default_factory=dict)

    @property
    def first(self) -> datetime | None:
        """Its first entry's date; for a model with a run alone, when the run started."""
        if self.entries:
            return self.entries[0].date
        return _run_time(self.run, "started")

    @property
    def last(self) -> datetime | None:
        if self.entries:
            return self.entries[-1].date
        return _run_time(self.run, "finished") or _run_time(self.run, "started")

    @property
    def family(self) -> str:
        return split_family(self.id)[0]

    @property
    def status_key(self) -> str:
        """Its status as the pages filter and check it: lower case, "" without one."""
        return (self.status or "").lower()

    def latest(self, section: str) -> tuple[Entry, Section] | None:
        """The latest such section from an entry about this model alone; failing that, from an
        entry about several models (a comparison or a wrap-up speaks for each only as a last resort)."""
        found = self.sections.get(section, [])
        own = [item for item in found if len(item[0].models) == 1]
        return (own or found)[-1] if found else None

    def others(self, section: str) -> tuple[list[tuple[Entry, Section]], list[tuple[Entry, Section]]]:
        """The other such sections than `latest`'s, newest first: (earlier ones, later ones).
        Later ones are from entries about several models, which `latest` passes over."""
        chosen = self.latest(section)
        if chosen is None:
            return [], []
        rest = [item for item in reversed(self.sections.get(section, [])) if item is not chosen]
        when = (chosen[0].date, chosen[0].key)
        return ([item for item in rest if (item[0].date, item[0].key) < when],
                [item for item in rest if (item[0].date, item[0].key) > when])


@dataclass
class Tag:
    name: str
    slug: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class JournalIndex:
    settings: Settings
    entries: list[Entry]  # oldest first
    models: dict[str, Model]  # by ID, sorted by family then number
    corrections: dict[str, list[Entry]]  # corrected entry key -> the entries that correct it
    corrected: dict[str, Entry]  # correcting entry key -> the entry it corrects
    mentions: dict[str, list[str]]  # entry key -> model IDs its text mentions (not its own)
    tags: dict[str, Tag]  # by slug, sorted
    key_metrics: list[str]
    diagnostics: list[Diagnostic]
    metric_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> the names of its quantity
    runs_read: RunsRead | None = None  # what the run readers gave, for an update that changed no run
    facts: dict[int, EntryFacts] = field(default_factory=dict, repr=False)  # by id(entry), for the next index

    def lineage(self, model_id: str) -> list[str]:
        """The chain of known ancestors, root first, ending with `model_id`."""
        chain = [model_id]
        model = self.models[model_id]
        while model.parent and model.parent_known and model.parent not in chain:
            chain.append(model.parent)
            model = self.models[model.parent]
        return chain[::-1]

    def linked(self, entry: Entry) -> list[str]:
        """The known models `entry`'s text names, those it is about too: what its text links."""
        found = self.facts.get(id(entry))
        return found.linked if found is not None and found.entry is entry else find_mentions(entry.body, frozenset(self.models))


@dataclass(frozen=True)
class TextFacts:
    """What indexing finds in an entry's text alone, whatever else the journal holds: kept
    in the cache folder by the entry's stamp, so the next build reads it instead of looking."""

    tokens: tuple[str, ...]  # its words that could be model IDs (`id_tokens`)
    near_misses: list[Diagnostic]
    sections: list[Section]


@dataclass(frozen=True)
class EntryFacts:
    """What indexing finds in one entry: an update re-indexing the same Entry object
    (`journal serve` reads unchanged files from memory) takes it as found."""

    entry: Entry
    text: TextFacts
    linked: list[str]  # the known models its text names, those it is about too: what its text links

    @property
    def mentioned(self) -> list[str]:
        """The models it mentions, but those it is about."""
        return [m for m in self.linked if m not in self.entry.models]


# TextFacts by entry stamp and the settings they depend on; one file, read whole.
FACTS_CACHE = "entry-facts-2"


def load_journal(settings: Settings, project_dir: Path, previous: JournalIndex | None = None,
                 same_runs: bool = False) -> JournalIndex:
    """Read and index the whole journal. Never raises for bad content: see `.diagnostics`.
    `previous` is the index of the journal as last read (`journal serve` keeps it): what it
    found in entries read again unchanged is taken as found, and with `same_runs` (no file
    under runs/ changed since it was read) so are its runs, not listed and looked up again."""
    entries, entry_diagnostics = read_entries(settings, project_dir)
    found = previous.runs_read if same_runs and previous is not None and previous.settings == settings else None
    if found is None:
        found = read_runs(settings.runs_dir, project_dir, settings.cache_dir)
    index = build_index(settings, entries, found.runs, summarised(entry_diagnostics + found.diagnostics),
                        previous=previous)
    index.runs_read = found
    return index


def build_index(
    settings: Settings, entries: list[Entry], runs: dict[str, Run], diagnostics: list[Diagnostic],
    previous: JournalIndex | None = None,
) -> JournalIndex:
    """The index of `entries` and `runs`; what `previous` (an index of the same settings)
    found in the text of the very same Entry objects is taken as found."""
    diagnostics = list(diagnostics)
    entries, runs = _drop_case_twins(entries, runs, diagnostics)
    models: dict[str, Model] = {}
    for entry in entries:
        for model_id in entry.models:
            models.setdefault(model_id, Model(model_id)).entries.append(entry)
    for model_id, run in runs.items():
        models.setdefault(model_id, Model(model_id)).run = run
    models = dict(sorted(models.items(), key=lambda item: _model_order(item[0])))
    known = frozenset(models)

    by_key = {entry.key: entry for entry in entries}
    by_name: dict[str, list[Entry]] = {}
    for entry in entries:
        by_name.setdefault(entry.name, []).append(entry)
    corrections: dict[str, list[Entry]] = {}
    corrected: dict[str, Entry] = {}
    for entry in entries:
        if not entry.corrects:
            continue
        target = by_key.get(entry.corrects) or _unique(by_name.get(entry.corrects.rsplit("/", 1)[-1]))
        line = entry.lines.get("corrects")
        if target is None:
            diagnostics.append(
                Diagnostic(
                    f"corrects '{entry.corrects}', but no entry has that name; write the file name "
                    "of the entry without '.md', e.g. 2026-11-03-tcn-7",
                    entry.source,
                    line,
                )
            )
        elif target is entry or target.date > entry.date:
            diagnostics.append(
                Diagnostic(f"an entry can only correct an earlier entry, not '{entry.corrects}'", entry.source, line)
            )
        else:
            corrections.setdefault(target.key, []).append(entry)
            corrected[entry.key] = target

    _set_parents(models, entries, diagnostics)
    groups = metric_groups(settings.metric_aliases)
    _warn_unmatched_parents(models, groups, diagnostics)
    lookup = heading_lookup(settings.sections)
    mentions: dict[str, list[str]] = {}
    tags: dict[str, Tag] = {}
    before = previous.facts if previous is not None and previous.settings == settings else {}
    same_ids = bool(before) and frozenset(previous.models) == known  # mentions are looked for among them
    facts: dict[int, EntryFacts] = {}
    stored = _facts_store(settings)
    depends = (FACTS_CACHE, repr(sorted(settings.sections.items())))

    def text_facts(entry: Entry) -> TextFacts:
        key = (depends, entry.stamp)
        found = stored.get(key, slot=entry.path) if entry.stamp else None
        if found is None:
            found = TextFacts(id_tokens(entry.body), _near_misses(entry, settings), find_sections(entry.body, lookup))
            if entry.stamp:  # read from a file at rest: the same text until its stamp changes
                stored.put(key, found, slot=entry.path)
        return found

    for entry in entries:
        found = before.get(id(entry))
        if found is None or found.entry is not entry:
            text = text_facts(entry)
            found = EntryFacts(entry, text, mentions_among(text.tokens, known))
        elif not same_ids:
            found = replace(found, linked=mentions_among(found.text.tokens, known))
        facts[id(entry)] = found
        mentioned = found.mentioned
        if len(mentioned) > MAX_MENTIONS:  # each page it is on would show it: the work grows squared
            diagnostics.append(Diagnostic(
                f"mentions {len(mentioned)} models; it is shown on the pages of the first {MAX_MENTIONS} only "
                "(its text links them all)", entry.source))
            mentioned = mentioned[:MAX_MENTIONS]
        mentions[entry.key] = mentioned
        for model_id in mentioned:
            models[model_id].mentions.append(entry)
        diagnostics.extend(found.text.near_misses)
        for section in found.text.sections:
            for model_id in entry.models:
                models[model_id].sections.setdefault(section.name, []).append((entry, section))
        for name in entry.tags:
            slug = tag_slug(name)
            tags.setdefault(slug, Tag(name, slug)).entries.append(entry)
    stored.save()
    for model in models.values():
        statuses = [e.status for e in model.entries if e.status]
        model.status = statuses[-1] if statuses else (model.run.meta.status if model.run and model.run.meta else None)
        model.tags = tuple(dict.fromkeys(t for e in model.entries for t in e.tags))

    return JournalIndex(
        settings=settings,
        entries=entries,
        models=models,
        corrections=corrections,
        corrected=corrected,
        mentions=mentions,
        tags=dict(sorted(tags.items())),
        key_metrics=_key_metrics(settings, runs, groups),
        diagnostics=diagnostics,
        metric_groups=groups,
        facts=facts,
    )


def _facts_store(settings: Settings) -> Bundle[TextFacts]:
    cache_dir = settings.cache_dir
    return Bundle("entry-facts", cache_dir / "entry-facts.pickle" if cache_dir else None, limit=100_000)


def tag_slug(name: str) -> str:
    """A tag's URL name: lower case, words joined by '-', letters of any script kept."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s_-]+", "-", text).strip("-") or "tag"


def _set_parents(models: dict[str, Model], entries: list[Entry], diagnostics: list[Diagnostic]) -> None:
    declared: dict[str, tuple[str, object, int | None]] = {}  # model -> (parent, where it is said, line)
    for entry in entries:
        if not entry.parent:
            continue
        line = entry.lines.get("parent")
        for model_id in entry.models:
            if entry.parent == model_id:
                diagnostics.append(Diagnostic(f"'{model_id}' cannot be its own parent", entry.source, line))
                continue
            earlier = declared.get(model_id)
            if earlier and earlier[0] != entry.parent:
                diagnostics.append(
                    Diagnostic(
                        f"parent of '{model_id}' changes from '{earlier[0]}' ({earlier[1]}) to "
                        f"'{entry.parent}'; the latest entry wins",
                        entry.source,
                        line,
                    )
                )
            declared[model_id] = (entry.parent, entry.source, line)
    for model_id, model in models.items():  # a model no entry gives a parent: its run's `parent=`
        said = model.run.meta.parent if model.run and model.run.meta else None
        if model_id not in declared and said and said != model_id:
            declared[model_id] = (said, model.run.path / "run.json", None)
    for model_id, (parent, source, line) in declared.items():
        model = models[model_id]
        model.parent = parent
        model.parent_known = parent in models
        if not model.parent_known:
            diagnostics.append(
                Diagnostic(
                    f"parent '{parent}' names no known model (no entry is about it and there is no "
                    f"runs/{parent}/ folder); check the spelling",
                    source,
                    line,
                )
            )
    for model_id, model in models.items():  # a run alone: the previous model of its family, as `journal entry` guesses
        if model_id not in declared and not model.entries and model.run is not None:
            guessed = _family_parent(model_id, models)
            if guessed:
                model.parent, model.parent_known = guessed, True
                declared[model_id] = (guessed, model.run.path, None)
    for model_id in models:  # break cycles: a -> b -> a
        seen = [model_id]
        current = models[model_id]
        while current.parent and current.parent_known:
            if current.parent in seen:
                parent, source, line = declared[current.id]
                diagnostics.append(
                    Diagnostic(
                        f"lineage cycle {' -> '.join(seen[seen.index(current.parent):] + [current.parent])}; "
                        f"ignoring '{current.id}' -> '{parent}'",
                        source,
                        line,
                    )
                )
                current.parent_known = False
                break
            seen.append(current.parent)
            current = models[current.parent]
    for model in models.values():
        if model.parent and model.parent_known:
            models[model.parent].children.append(model.id)


def _run_time(run: Run | None, which: str) -> datetime | None:
    text = getattr(run.meta, which, None) if run is not None and run.meta is not None else None
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.astimezone()


def _family_parent(model_id: str, models: dict[str, Model]) -> str | None:
    """The highest-numbered model of the same family below this one (tcn-7 -> tcn-6)."""
    family, number = split_family(model_id)
    if number is None:
        return None
    below = [(n, m) for m in models if m != model_id and split_family(m)[0] == family
             and (n := split_family(m)[1]) is not None and n < number]
    return max(below)[1] if below else None


def _warn_unmatched_parents(models: dict[str, Model], groups: dict[str, tuple[str, ...]],
                            diagnostics: list[Diagnostic]) -> None:
    """A model whose run shares no metric with its parent's, even through aliases, gets no
    parent curves: say so on the entry that names the parent, with the line that joins them."""
    import difflib

    from mljournal.reading.runs import find_metric

    for model in models.values():
        parent = models[model.parent] if model.parent and model.parent_known else None
        if not (parent and model.run and model.run.metrics and parent.run and parent.run.metrics):
            continue
        ours, theirs = sorted(model.run.metrics), sorted(parent.run.metrics)
        if any(find_metric(parent.run.metrics, name, groups) for name in ours):
            continue
        pair = max(((a, b) for a in theirs[:50] for b in ours[:50]),  # the likeliest pair of names
                   key=lambda p: (difflib.SequenceMatcher(None, p[0].lower(), p[1].lower()).ratio(), p))
        shown = groups.get(pair[0], (pair[0],))[0]  # joining the group's shown name keeps the group whole
        entry = next((e for e in reversed(model.entries) if e.parent == model.parent), None)
        diagnostics.append(Diagnostic(
            f"model '{model.id}' and its parent '{parent.id}' share no metric, so its plots have no parent curves "
            f"({model.id} has {_names(ours)}; {parent.id} has {_names(theirs)}); if {pair[1]} is {pair[0]}, add "
            f"`metric_aliases: {{{shown}: [{pair[1]}]}}` to the journal plugin in mkdocs.yml",
            entry.source if entry else model.run.path, entry.lines.get("parent") if entry else None))


def _names(names: list[str], most: int = 6) -> str:
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def _drop_case_twins(entries: list[Entry], runs: dict[str, Run], diagnostics: list[Diagnostic]):
    """IDs that differ only in case would share one page on macOS and Windows: keep the
    spelling written first (entries by date, then run folders)."""
    first: dict[str, str] = {}
    for model_id in [m for e in entries for m in e.models] + sorted(runs):
        first.setdefault(model_id.lower(), model_id)
    twins = {m for m in {m for e in entries for m in e.models} | set(runs) if first[m.lower()] != m}
    if not twins:
        return entries, runs
    kept: list[Entry] = []
    for entry in entries:
        bad = [m for m in entry.models if m in twins]
        if bad:
            diagnostics.append(
                Diagnostic(
                    f"skipped: model '{bad[0]}' differs from '{first[bad[0].lower()]}' only in case, "
                    "and both would be one page; use one spelling",
                    entry.source,
                    entry.lines.get("model"),
                )
            )
        else:
            kept.append(entry)
    for model_id in sorted(twins & set(runs)):
        diagnostics.append(
            Diagnostic(
                f"skipped: run folder '{model_id}' differs from '{first[model_id.lower()]}' only in case",
                runs[model_id].path,
            )
        )
    return kept, {k: v for k, v in runs.items() if k not in twins}


def _key_metrics(settings: Settings, runs: dict[str, Run], groups: dict[str, tuple[str, ...]]) -> list[str]:
    if settings.key_metrics:
        return list(settings.key_metrics)
    counts = Counter(name for run in runs.values() for name in {groups.get(m, (m,))[0] for m in run.metrics})
    held_out = [m for m in counts if re.search(r"(^|[_/.-])(val|valid|validation|eval|test)", m.lower())]
    chosen = sorted(held_out or counts, key=lambda m: (-counts[m], m))
    return chosen[:3]


def _model_order(model_id: str) -> tuple[str, int, str]:
    family, number = split_family(model_id)
    return (family, number if number is not None else -1, model_id)


def _unique(found: list[Entry] | None) -> Entry | None:
    return found[0] if found and len(found) == 1 else None


def _near_misses(entry: Entry, settings: Settings) -> list[Diagnostic]:
    """What an author nearly wrote: a card's hint left in place (it would read as content), a
    heading one letter off a section's, a status not in the list. Once each, per entry."""
    found = []
    left = template_left(entry.body)
    if left:
        more = f" (and on {len(left) - 1} more lines)" if len(left) > 1 else ""
        found.append(Diagnostic(f"the card's template text is still here{more}: write your own or delete it; "
                                "it counts as empty", entry.source, entry.body_line + left[0] - 1))
    for heading, meant in near_misses(entry.body, settings.sections):
        found.append(Diagnostic(f"heading '{heading.text}' is not a section the journal reads (did you mean "
                                f"'{meant}'?)", entry.source, entry.body_line + heading.line - 1))
    if entry.status and entry.status.lower() not in STATUSES:
        found.append(Diagnostic(f"status '{entry.status}' is none of {', '.join(STATUSES)}"
                                f"{did_you_mean(entry.status.lower(), STATUSES)}; shown as written",
                                entry.source, entry.lines.get("status")))
    return found
