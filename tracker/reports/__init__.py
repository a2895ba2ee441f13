"""Reports built from the store: the weekly report and its renderers (Markdown, HTML, JSON).

``weekly.build_weekly_report`` computes typed data; ``render_*`` modules only present it.
Nothing here does HTTP: publishing lives in ``sync.publish``.
"""
