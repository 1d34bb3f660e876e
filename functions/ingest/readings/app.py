"""IngestReadingsFunction: readings from sensor and lab pipelines, by direct Invoke
(``{"readings": [...]}``, per-item results) or from the ingest queue (partial batch failures).
Internal only: no API route; IAM decides who may invoke or send (template.yaml)."""

from clinic.internal import internal_entry
from clinic.services import ingest
from clinic.settings import PatientIdentifiersTable, check

check(PatientIdentifiersTable)  # a FHIR Observation's subject, found by its MRN

handler = internal_entry(ingest.handle)
