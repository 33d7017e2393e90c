"""Benchmark corpora: N distinct articles from the BBC development set, in every form.

    corpus.make_corpus(size, work_dir) -> Corpus  (paths of every form; reused when up to date)

Article ``k`` (0-based) is BBC article ``order[k % 2092]`` (a fixed shuffle of
``bbc.jsonl``); its title gets `` (k+1)`` and its first paragraph a short
unique dateline, so N articles are N distinct texts. Articles are grouped
100 to a digest, and each digest has its own day (2020-01-01 onwards), which
is also every split article's date.

Forms written under ``work_dir/corpus-<N>/`` (never committed: BBC text is
copyright, see ../shared/corpora/bbc/README.md):

- ``digestsite-raw/content/``: ``site.toml``, ``topics.toml`` and
  ``digests/<date>-digest-<n>.txt`` (one paragraph a line, no titles);
- ``digestsite-split/content/``: the same settings and ``articles/a<k>.md``
  (TOML front matter: title, date, topics = [category], tags, spokespersons);
- ``hugo/``: ``hugo.toml``, ``layouts/`` (copied from benchmarks/hugo/) and
  ``content/posts/a<k>.md`` with the same front matter;
- ``pelican/``: ``pelicanconf.py`` (copied from benchmarks/pelican/) and
  ``content/a<k>.md`` with Pelican metadata (Category = topic, Tags =
  spokespersons: Pelican has no custom taxonomies).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BBC = HERE.parent.parent / "shared" / "corpora" / "bbc" / "bbc.jsonl"
PER_DIGEST = 100
SPOKESPERSON_EVERY = 10
FIRST_DAY = dt.date(2020, 1, 1)
GENERATOR_VERSION = "2"

FIRST_NAMES = ["Alice", "Bernard", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas"]
SURNAMES = ["Abbott", "Brennan", "Castell", "Dunmore", "Everard", "Fairley", "Garside", "Holloway",
            "Ingram", "Jessop"]
ORGANISATIONS = ["Department for Business", "Arts Council", "Cabinet Office", "Sports Federation",
                 "Technology Board"]
SPOKESPERSONS = [(f"{f} {s}", ORGANISATIONS[i % len(ORGANISATIONS)])
                 for i, (f, s) in enumerate((f, s) for s in SURNAMES for f in FIRST_NAMES)]

_NAME = re.compile(r"\b([A-Z][a-z]+(?: [A-Z][a-z]+)+)\b")
_NOT_NAME_START = {"The", "A", "An", "But", "In", "It", "He", "She", "This", "That", "Mr", "Mrs", "Ms",
                   "And", "On", "At", "As", "For", "If", "When", "While", "Its", "His", "Her", "They"}


@dataclass(frozen=True)
class Corpus:
    size: int
    root: Path
    raw_content: Path  # digestsite content/ with digests
    split_content: Path  # digestsite content/ with articles/*.md
    hugo_dir: Path
    pelican_dir: Path
    articles: int
    paragraphs: int
    digests: int


@dataclass(frozen=True)
class Item:
    k: int
    title: str
    category: str
    paragraphs: tuple[str, ...]
    date: str
    tags: tuple[str, ...]
    spokesperson: tuple[str, str] | None


def load_bbc(path: Path = BBC) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    random.Random(7).shuffle(rows)  # mix the sections, as a day's digest does
    return rows


def items(size: int, rows: list[dict]) -> list[Item]:
    result = []
    for k in range(size):
        row = rows[k % len(rows)]
        date = (FIRST_DAY + dt.timedelta(days=k // PER_DIGEST)).isoformat()
        paragraphs = [p for p in row["paragraphs"] if p.strip()]
        paragraphs[0] = f"LONDON, {date} (wire {k + 1}) - {paragraphs[0]}"
        text = " ".join(paragraphs)
        tags: list[str] = []
        for match in _NAME.finditer(text):
            name = match.group(1)
            if name.split()[0] in _NOT_NAME_START or name in tags:
                continue
            tags.append(name)
            if len(tags) == 2:
                break
        speaker = SPOKESPERSONS[(k // SPOKESPERSON_EVERY) % len(SPOKESPERSONS)] if k % SPOKESPERSON_EVERY == 0 else None
        result.append(Item(k, f"{row['title']} ({k + 1})", row["category"].capitalize(), tuple(paragraphs),
                           date, tuple(tags), speaker))
    return result


def _toml(value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def _body(item: Item) -> str:
    return "\n\n".join(item.paragraphs) + "\n"


def digestsite_page(item: Item) -> str:
    spokespersons = [{"name": item.spokesperson[0], "organisation": item.spokesperson[1]}] if item.spokesperson else []
    front = [("title", item.title), ("date", item.date), ("topics", [item.category]),
             ("tags", list(item.tags)), ("spokespersons", spokespersons)]
    return "+++\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in front) + "\n+++\n\n" + _body(item)


def hugo_page(item: Item) -> str:
    front = [("title", item.title), ("date", item.date), ("topics", [item.category]),
             ("tags", list(item.tags)), ("spokespersons", [item.spokesperson[0]] if item.spokesperson else [])]
    return "+++\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in front) + "\n+++\n\n" + _body(item)


def pelican_page(item: Item) -> str:
    meta = [("Title", item.title), ("Date", item.date), ("Category", item.category),
            ("Slug", f"a{item.k + 1:06d}")]
    if item.spokesperson:
        meta.append(("Tags", item.spokesperson[0]))
    if item.tags:
        meta.append(("Keywords", ", ".join(item.tags)))
    return "".join(f"{k}: {v}\n" for k, v in meta) + "\n" + _body(item)


def _settings_files(content: Path) -> None:
    content.mkdir(parents=True, exist_ok=True)
    (content / "site.toml").write_text(
        'title = "Benchmark Digest"\ndescription = "Generated benchmark corpus."\nlanguage = "en"\n'
        'base_url = "https://example.org/"\nauthor = "Benchmark"\n', encoding="utf-8")
    shutil.copyfile(HERE / "topics.toml", content / "topics.toml")


def _fingerprint(size: int) -> str:
    digest = hashlib.sha256(GENERATOR_VERSION.encode() + str(size).encode())
    for path in [Path(__file__), HERE / "topics.toml", *sorted((HERE / "hugo").rglob("*")),
                 *sorted((HERE / "pelican").rglob("*"))]:
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    digest.update(str(BBC.stat().st_size).encode())
    return digest.hexdigest()


def make_corpus(size: int, work_dir: Path, *, force: bool = False) -> Corpus:
    root = work_dir / f"corpus-{size}"
    stamp = root / ".stamp.json"
    fingerprint = _fingerprint(size)
    if not force and stamp.is_file():
        data = json.loads(stamp.read_text())
        if data.get("fingerprint") == fingerprint:
            return _corpus(size, root, data)
    if root.exists():
        shutil.rmtree(root)
    all_items = items(size, load_bbc())
    raw = root / "digestsite-raw" / "content"
    split = root / "digestsite-split" / "content"
    hugo = root / "hugo"
    pelican = root / "pelican"
    for content in (raw, split):
        _settings_files(content)
    (raw / "digests").mkdir()
    (split / "articles").mkdir()
    (hugo / "content" / "posts").mkdir(parents=True)
    (pelican / "content").mkdir(parents=True)
    shutil.copytree(HERE / "hugo", hugo, dirs_exist_ok=True)
    shutil.copyfile(HERE / "pelican" / "pelicanconf.py", pelican / "pelicanconf.py")
    paragraphs = 0
    for start in range(0, size, PER_DIGEST):
        chunk = all_items[start:start + PER_DIGEST]
        lines = [p for item in chunk for p in item.paragraphs]
        paragraphs += len(lines)
        name = f"{chunk[0].date}-digest-{start // PER_DIGEST + 1:04d}.txt"
        (raw / "digests" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for item in all_items:
        name = f"a{item.k + 1:06d}.md"
        (split / "articles" / name).write_text(digestsite_page(item), encoding="utf-8")
        (hugo / "content" / "posts" / name).write_text(hugo_page(item), encoding="utf-8")
        (pelican / "content" / name).write_text(pelican_page(item), encoding="utf-8")
    data = {"fingerprint": fingerprint, "articles": size, "paragraphs": paragraphs,
            "digests": -(-size // PER_DIGEST)}
    stamp.write_text(json.dumps(data))
    return _corpus(size, root, data)


def _corpus(size: int, root: Path, data: dict) -> Corpus:
    return Corpus(size, root, root / "digestsite-raw" / "content", root / "digestsite-split" / "content",
                  root / "hugo", root / "pelican", data["articles"], data["paragraphs"], data["digests"])
