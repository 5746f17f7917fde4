"""Text layer: segmentation tuned for disclosure reports, and text-as-data statistics."""
