"""Ingest: postmortem files into the store, each file's changes recorded once.

- ``run``: ``ingest_paths`` (discover, read, hash, parse, store each file; mark vanished
  files removed) and ``record_document`` (one file's new bytes, after a write-back);
- ``hashing``: the content hash that decides whether a file changed;
- ``diff``: what changed, a parsed postmortem against its stored rows (no SQL);
- ``document``: ``ingest_document``, one parsed postmortem looked up, diffed and written
  through ``tracker.store.documents``;
- ``report``: what an ingest says about each file and the run.
"""

from __future__ import annotations

from tracker.ingest.diff import front_matter_json
from tracker.ingest.document import ingest_document
from tracker.ingest.hashing import (
    INGEST_VERSION,
    content_hash,
    document_digest,
    settings_fingerprint,
)
from tracker.ingest.report import FileResult, FileStatus, IngestReport, IngestResult
from tracker.ingest.run import ingest_paths, record_document

__all__ = [
    "INGEST_VERSION",
    "FileResult",
    "FileStatus",
    "IngestReport",
    "IngestResult",
    "content_hash",
    "document_digest",
    "front_matter_json",
    "ingest_document",
    "ingest_paths",
    "record_document",
    "settings_fingerprint",
]
