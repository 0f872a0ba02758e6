"""The life of an uploaded track: upload, storage, analysis jobs and their progress events."""
