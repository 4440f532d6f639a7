"""Local stand-ins of the sources: HTTP servers on 127.0.0.1 that answer in each source's
real, documented format from a list of sample posts. Tests crawl them; the demo runs the
main job against them. Each can inject faults (429 with Retry-After, 5xx, malformed bodies).
"""
