"""What an HTTP route declares, beyond its handler: its parameters (``params``), the FHIR export's
format and responses (``fhir``), and the checks every request passes before routing (``guards``).
The route's entry (resolver, caller, Lambda handler) is ``clinic.entry.http``."""
