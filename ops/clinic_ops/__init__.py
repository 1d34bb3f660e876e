"""Operating a deployed stack: publishing the page, deploying, the first admin (`clinic-admin`)."""
