"""storyreel renderer: render requests, backends and the executor. Knows nothing of stories."""
