"""The nightly and harvest stages, one module each, reading and writing under the data root.

poll -> select -> fetch_extract (fetch + extract) -> dedupe -> events -> run.finish (quality
gate, publish, manifest, summary); harvest polls and archives between nightly runs.
"""
