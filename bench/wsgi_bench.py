"""What the benchmark's gunicorn serves: ``gunicorn -c gunicorn.conf.py bench.wsgi_bench:app``."""

from bench.baseline import create_bench_app

app = create_bench_app()
