"""Kibana, shipped: the data views, saved searches and Lens dashboards of
``kibana/kikimimi.ndjson``, rendered for an index prefix and imported into Kibana.

:func:`saved_objects_for` reads and checks them (:func:`consistency_problems`: ids, types,
migration versions and references; :func:`field_problems`: every field they use against the
index mappings) and points their data views at a prefix's indices; :func:`to_ndjson` writes
them; :func:`import_saved_objects` posts them to Kibana's import API and returns its
:class:`ImportReport`.
"""

from indexer.kibana.consistency import consistency_problems
from indexer.kibana.fields import FieldUse, field_problems, field_uses, mapping_fields
from indexer.kibana.importer import (
    ImportFailure,
    ImportReport,
    import_endpoint,
    import_saved_objects,
)
from indexer.kibana.saved_objects import (
    KIBANA_VERSION,
    SAVED_OBJECTS_FILE,
    SavedObject,
    SavedObjectReference,
    read_saved_objects,
    to_ndjson,
    with_prefix,
)
from indexer.kibana.shipped import index_mappings, saved_objects_for

__all__ = [
    "KIBANA_VERSION",
    "SAVED_OBJECTS_FILE",
    "FieldUse",
    "ImportFailure",
    "ImportReport",
    "SavedObject",
    "SavedObjectReference",
    "consistency_problems",
    "field_problems",
    "field_uses",
    "import_endpoint",
    "import_saved_objects",
    "index_mappings",
    "mapping_fields",
    "read_saved_objects",
    "saved_objects_for",
    "to_ndjson",
    "with_prefix",
]
