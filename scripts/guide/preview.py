"""`guide serve`: a preview that rebuilds only what an edit touches, and a live reload the CSP allows.

The preview lives in build/preview/ (each edition's Markdown in docs/<lang>/, the HTML in
site/), kept from one edit to the next; `guide build`, its lock and the published site/ are
not involved.  An edit is rebuilt in steps, each shown in the browser as soon as it is done:

1. data/ only changed (not site.yaml): the pages of the records that changed (their page's
   context differs from the last build's), then MkDocs in its dirty mode (only pages whose
   Markdown is newer than their HTML): the default edition first, then the others;
2. every page of the default edition generated again, only files whose text changed written,
   MkDocs dirty again; then the same for the other editions.

Anything else (content/, overrides/, locale/, mkdocs.yml, site.yaml, the generated config,
a failed build) rebuilds every edition from a clean MkDocs run.  Handouts and the open-data
files are not made (they take most of a build and are not pages to look at): `guide build`
makes them.  Data with errors writes nothing, so the browser keeps the last good preview.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import jinja2
from mkdocs.livereload import LiveReloadServer

from .build import BUILD_DIR, edition_renderer, regenerate, run_mkdocs, write_mkdocs_config
from .editions import Edition
from .i18n import translations
from .load import DATA_FILES, PROJECT_FOLDERS, load_or_raise
from .pages import plan_pages

PREVIEW_DIR = "preview"
_EDITOR_LEFTOVER = re.compile(r"^\.|~$|\.(swp|swx|tmp|bak)$|^4913$|^#.*#$")
WATCHED = (*PROJECT_FOLDERS, "mkdocs.yml")
# The site's settings (its name, languages, address): a change there rebuilds everything, as
# does any change outside data/ (the pages of content/, the theme, the words of locale/).
SITE_FILE = f"data/{DATA_FILES['site'][0]}"
# Published = callable(edition prefix, changed site paths, or None for every page of the edition)
Published = Callable[[str, "set[str] | None"], None]


@dataclass
class Rebuilt:
    """What one rebuild did: its warnings, whether it started clean, and how many pages it rewrote."""

    problems: list
    clean: bool
    pages: int = 0


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory between rebuilds (Jinja checks each against its source's checksum)."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


@dataclass
class Preview:
    root: Path
    inputs: dict[str, tuple[int, int]] = field(default_factory=dict)  # watched file → (mtime, size) at the last good build
    contexts: dict[str, dict] = field(default_factory=dict)  # page path → its context at the last good build
    clean: bool = True  # the next build starts from a clean MkDocs run
    compiled: _CompiledTemplates = field(default_factory=_CompiledTemplates)

    @property
    def work(self) -> Path:
        return self.root / BUILD_DIR / PREVIEW_DIR

    @property
    def site(self) -> Path:
        return self.work / "site"

    def rebuild(self, today: date, published: Published) -> Rebuilt | None:
        """Bring the preview up to date with the project: None when nothing it is made from changed.

        Raises DataError (nothing written) or BuildError."""
        inputs = watched_files(self.root)
        changed = {name for name in inputs.keys() | self.inputs.keys() if inputs.get(name) != self.inputs.get(name)}
        if not changed and not self.clean:  # an editor's swap or backup file, a folder touched
            return None
        loaded = load_or_raise(self.root, today=today, keep_parsed=True)
        guide = loaded.guide
        editions = Edition.all_for(guide)
        clean = self.clean or any(not name.startswith("data/") or name == SITE_FILE for name in changed)
        self.clean = True  # until this build has finished
        plan = list(plan_pages(guide))
        written = 0
        if not clean:
            changed_pages = [p for p in plan if self.contexts.get(p.path) != p.context]
            for edition in editions:
                written += self._records_first(guide, edition, changed_pages, today, published)
        for edition in editions:  # the default edition's site holds the others: wiping it wipes them
            edition_written, clean = self._edition(guide, edition, editions, today, clean, published)
            written += edition_written
        self.inputs, self.contexts, self.clean = inputs, {p.path: p.context for p in plan}, False
        return Rebuilt(list(loaded.problems), clean, written)

    def _records_first(self, guide, edition: Edition, changed_pages: list, today: date, published: Published) -> int:
        """The changed records' own pages of the edition, shown before the rest is regenerated."""
        renderer = edition_renderer(guide, edition, translations(self.root, edition.lang), today, self.compiled)
        docs = self.work / "docs" / edition.lang
        written = {page.source_file for page in changed_pages if _write_if_changed(docs / page.source_file, renderer.render(page))}
        if written:
            run_mkdocs(self._config_file(edition), dirty=True, compiled=self.compiled)
            published(edition.prefix, {_site_path(edition, name) for name in written})
        return len(written)

    def _edition(self, guide, edition: Edition, editions: list[Edition], today: date, clean: bool, published: Published) -> tuple[int, bool]:
        """Generate the edition, keep only what changed, and run MkDocs on it.

        Returns the number of pages rewritten and whether MkDocs ran clean (a changed config makes it)."""
        docs = self.work / "docs" / edition.lang
        out = self.site / edition.prefix
        _, changed, removed = regenerate(self.root, guide, edition, editions, today, docs, self.compiled)
        config = self._config_file(edition)
        text = write_mkdocs_config(self.root, guide, edition, editions, docs, out, path=config.with_suffix(".new")).read_text(encoding="utf-8")
        if config.exists() and config.read_text(encoding="utf-8") == text:
            config.with_suffix(".new").unlink()
        else:
            clean = True
            config.with_suffix(".new").replace(config)
        for name in removed:  # a record taken out: its page goes from the preview too
            _output(out, name).unlink(missing_ok=True)
        if clean or changed:
            run_mkdocs(config, dirty=not clean, compiled=self.compiled)
        if clean or changed or removed:
            published(edition.prefix, None if clean else {_site_path(edition, name) for name in changed | removed})
        return len([name for name in changed if name.endswith(".md")]), clean

    def _config_file(self, edition: Edition) -> Path:
        # Beside build/'s own configs (explain_mkdocs_warning finds the project from there), but not one of them.
        return self.root / BUILD_DIR / f"preview.mkdocs.{edition.lang}.yml"


def watched_files(root: Path) -> dict[str, tuple[int, int]]:
    """Every file the preview is made from, with its modification time and size.

    Not what editors write beside the file they save (.agencies.yaml.swp, agencies.yaml~, 4913)."""
    found = {}
    for name in WATCHED:
        top = root / name
        paths = [top] if top.is_file() else (p for p in top.rglob("*") if p.is_file()) if top.is_dir() else []
        for path in paths:
            if _EDITOR_LEFTOVER.search(path.name):
                continue
            stat = path.stat()
            found[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


def _write_if_changed(path: Path, text: str) -> bool:
    """Write `text` unless the file already holds it (an untouched file keeps its time, so MkDocs skips it)."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def _output(out: Path, name: str) -> Path:
    """Where MkDocs writes the docs file `name` (directory URLs: a/index.md → a/index.html)."""
    return out / re.sub(r"\.md$", ".html", name)


def _site_path(edition: Edition, name: str) -> str:
    """The address of the docs file `name` as the browser asks for it: /en/agencies/x/ or /assets/guide/x.js."""
    return "/" + edition.prefix + re.sub(r"(^|/)index\.md$", r"\1", name)


# --- the server ---------------------------------------------------------------------------------------

# MkDocs injects its live-reload script inline, which the pages' Content-Security-Policy forbids
# (script-src 'self').  This one is a file of the preview's own address: it asks the server
# (a long poll) whether the page it is on was rebuilt since it was served, and reloads it then.
RELOAD_SCRIPT = """\
(function () {
  var since = %d, page = location.pathname.replace(/index\\.html$/, "");
  function poll() {
    var request = new XMLHttpRequest();
    request.onloadend = function () {
      if (request.status === 200 && request.responseText === "reload") { location.reload(); return; }
      setTimeout(poll, request.status === 200 ? 0 : 3000);
    };
    request.open("GET", "/livereload/poll/" + since + "?page=" + encodeURIComponent(page));
    request.send();
  }
  window.addEventListener("load", poll);
})();
"""


LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")


def host_allowed(host_header: str, bound: str, port: int) -> bool:
    """Whether a request's Host header names this preview: localhost, an IP address, or the name it was
    started with, and its port.  A page of another site whose name was made to point at this machine
    (DNS rebinding) sends that site's name, and gets nothing."""
    name, _, given_port = host_header.rpartition(":") if not host_header.endswith("]") else (host_header, "", "")
    if given_port != str(port) and not (given_port == "" and port == 80):
        return False
    name = name.lower()
    if name in LOCAL_NAMES or name == bound.lower():
        return True
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") and name.endswith("]") else name)
    except ValueError:
        return False
    return True


def reachable_from_others(host: str) -> bool:
    """Whether serving on `host` lets other computers in (0.0.0.0, ::, a LAN address or name)."""
    if host.lower() == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return True


class PreviewServer(LiveReloadServer):
    """MkDocs' live-reload server, reloading a page when its part of the preview was rebuilt."""

    def __init__(self, *args, refused: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._host = kwargs["host"]
        self._refused = refused.encode()  # the answer to a request for another host name
        self._generation = 0
        self._rebuilt: dict[str, int] = {}  # site path, or edition prefix + "*", → generation that rebuilt it
        self._request = threading.local()  # the generation a request began in, before it read its file
        self._listening = False
        self.error_handler = lambda code: self._page_for_error(code)

    def listen(self) -> None:
        """Take the address now, so that a port in use is said before the first build rather than after it."""
        super().server_bind()
        super().server_activate()
        self._listening = True

    def server_bind(self) -> None:  # serve() binds: once is enough
        if not self._listening:
            super().server_bind()

    def server_activate(self) -> None:
        if not self._listening:
            super().server_activate()

    def published(self, prefix: str, paths: set[str] | None) -> None:
        """Show what has been rebuilt: requests waiting for the build go on, browsers on those pages reload."""
        with self._epoch_cond:
            self._generation += 1
            changed_assets = paths is None or any(not path.endswith("/") for path in paths)
            for path in {"/" + prefix + "*"} if changed_assets else paths:  # a script or index: every page may use it
                self._rebuilt[path] = self._generation
            self._visible_epoch = self._wanted_epoch
            self._epoch_cond.notify_all()

    def _edition_key(self, page: str) -> str:
        prefixes = sorted((key for key in self._rebuilt if key.endswith("*")), key=len, reverse=True)
        return next((key for key in prefixes if page.startswith(key[:-1])), "/*")

    def _needs_reload(self, page: str, since: int) -> bool:
        return max(self._rebuilt.get(page, 0), self._rebuilt.get(self._edition_key(page), 0)) > since

    def _serve_request(self, environ, start_response):
        if not host_allowed(environ.get("HTTP_HOST", ""), self._host, self.server_port):
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")])
            return [self._refused]
        path = environ["PATH_INFO"]
        if script := re.fullmatch(r"/livereload/script/([0-9]+)\.js", path):
            start_response("200 OK", [("Content-Type", "text/javascript"), ("Cache-Control", "no-store")])
            return [(RELOAD_SCRIPT % int(script[1])).encode()]
        if poll := re.fullmatch(r"/livereload/poll/([0-9]+)", path):
            page = (parse_qs(environ.get("QUERY_STRING") or "").get("page") or ["/"])[0]
            since = int(poll[1])
            with self._epoch_cond:
                self._epoch_cond.wait_for(lambda: self._needs_reload(page, since) or self._shutdown, timeout=self.poll_response_timeout)
                answer = b"reload" if self._needs_reload(page, since) else b"wait"
            start_response("200 OK", [("Content-Type", "text/plain"), ("Cache-Control", "no-store")])
            return [answer]
        with self._epoch_cond:
            self._request.generation = self._generation
        return super()._serve_request(environ, start_response)

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        tag = b'<script src="/livereload/script/%d.js"></script>' % self._request.generation
        end = content.rfind(b"</body>")
        return content + tag if end < 0 else content[:end] + tag + content[end:]

    def _page_for_error(self, code: int) -> bytes | None:
        page = Path(self.root) / f"{code}.html"
        return page.read_bytes() if page.is_file() else None


def serve(preview: Preview, rebuild: Callable[[], None], *, host: str, port: int, refused: str) -> PreviewServer:
    """A server for the preview that watches the project and calls `rebuild` on every change.

    `refused` is the text a request for another host name gets (see host_allowed)."""
    server = PreviewServer(builder=rebuild, host=host, port=port, root=str(preview.site), polling_interval=0.25, refused=refused)
    for name in WATCHED:
        if (preview.root / name).exists():
            server.watch(str(preview.root / name))
    return server
