"""The XML parser every part of a workbook is read with: expat, fed in blocks, with Python handlers.

Expat is the fastest safe choice measured here (faster than ElementTree's and lxml's iterparse on the same sheets,
because no element objects are built), and it keeps no more than one block and one unfinished tag in memory.
Safety is set up here once: a document type declaration is refused before anything in it is read, so no entity
can be declared, expanded (billion laughs) or fetched (XXE); and a tag, comment or other piece of markup still
unfinished after a megabyte is refused, because expat must hold an unfinished token whole.
"""

import pyexpat
from collections.abc import Iterator

from imports.declare.errors import ImportFileError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships "
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships "

BLOCK_BYTES = 64 * 1024
# No tag of a real workbook comes near this (the longest are a few kilobytes of attributes); text is not a token,
# expat hands it over as it arrives.
MAX_TOKEN_BYTES = 1024 * 1024
# The parts that describe a workbook (its sheet list, relationships and styles) are read whole into small tables;
# real ones are kilobytes, the most bloated styles a few megabytes.
MAX_PART_BYTES = 32 * 1024 * 1024


def _refuse_declarations(*_args) -> None:
    raise ImportFileError("The Excel workbook declares a document type or entities, which workbooks never do; it "
                          "is refused as a possible attack.")


def parser() -> pyexpat.XMLParserType:
    """An expat parser with namespaces resolved (an element is named 'namespace-URI local-name', whatever prefix
    the file uses) and every kind of declaration refused."""
    made = pyexpat.ParserCreate(namespace_separator=" ")
    made.buffer_text = True
    made.buffer_size = BLOCK_BYTES
    made.StartDoctypeDeclHandler = _refuse_declarations
    made.EntityDeclHandler = _refuse_declarations
    made.UnparsedEntityDeclHandler = _refuse_declarations
    made.ExternalEntityRefHandler = _refuse_declarations
    made.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    return made


def feed(made: pyexpat.XMLParserType, stream, member: str) -> Iterator[None]:
    """Feed `stream` to the parser a block at a time, yielding after each block so the caller can hand on what the
    handlers gathered (and check what they are still gathering)."""
    fed = 0
    try:
        while block := stream.read(BLOCK_BYTES):
            made.Parse(block, False)
            fed += len(block)
            # CurrentByteIndex is where the last complete token ended: what lies beyond it is one unfinished token.
            if fed - made.CurrentByteIndex > MAX_TOKEN_BYTES:
                raise ImportFileError(f"The Excel workbook is damaged: {member} holds a tag or other markup longer "
                                    f"than {MAX_TOKEN_BYTES // (1024 * 1024)} MB.")
            yield
        made.Parse(b"", True)
    except pyexpat.ExpatError as error:
        raise ImportFileError(f"The Excel workbook cannot be read: {member} is not valid XML ({error}).") from None
    yield
