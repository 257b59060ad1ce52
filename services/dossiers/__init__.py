"""Evidence dossiers for the penalty file (Decree 61/2026): a report's evidence exported as one signed ZIP, and the
offline verifier that checks one with nothing but the published public key.

An archive holds `README.txt` (Vietnamese and English: how to verify), `manifest.json` (every file's path, size and
SHA-256; the report's content hash; the EXIF/GPS facts read at receipt; the timeline; the decisions; the chain of
custody; the export's time, author and key id), `manifest.sig` (the Ed25519 signature over the manifest's exact
bytes), `originals/<mediaId>.<ext>` as received and `served/<mediaId>/display.<ext>` as served. `export` makes it
(`produce`, a download producer), `verification` checks it, `layout` is what the two share.
"""
