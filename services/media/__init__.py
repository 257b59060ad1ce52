"""Evidence: reserving and checking uploads, reading photos and videos, who sees which media and through what URLs,
and the stores that hold the bytes."""
