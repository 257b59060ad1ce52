"""Evidence dossiers for the penalty file: the link to a report's signed ZIP (`services.dossiers`)."""
