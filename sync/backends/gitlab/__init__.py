"""GitLab: merge requests for write-back as a pull request (``merge_requests``)."""
