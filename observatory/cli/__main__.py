from observatory.cli import run

run()
