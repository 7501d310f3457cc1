"""A company's backup: every target's records as an import-compatible CSV file, in one ZIP archive with a manifest.

    writing (contents, writing)                      reading (archive, manifest)
    each target's rows, as an export would give  ->  the archive checked before anything is read (its directory,
    them, into a member of the ZIP, streamed;        its manifest, every member's bytes counted as they stream);
    the manifest last (targets, files, rows)         each member then extracted, counted again, for its import

The archive is the product's own format, and a restore reads nothing else: flat member names, one CSV per target
named in the manifest, nothing more.
"""
