"""IngestReadingsFunction: readings from sensor and lab pipelines, by direct Invoke
(``{"readings": [...]}``, per-item results) or from the ingest queue (partial batch failures).
Internal only: no API route; IAM decides who may invoke or send (template.yaml)."""

from clinic.entry.invoke import invoke_entry
from clinic.services import ingest
from clinic.settings import PatientIdentifiersTable, check

check(PatientIdentifiersTable)  # a FHIR Observation's subject, found by its MRN

handler = invoke_entry(ingest.handle)
