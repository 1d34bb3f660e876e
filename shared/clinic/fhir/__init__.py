"""Lab results as labs send them: HL7 FHIR R4 Bundles in (``clinic.fhir.bundle``, the only module
that imports the FHIR model library), LOINC codes and UCUM units mapped onto the catalog
(``clinic.fhir.codes``, ``clinic.fhir.units``)."""
