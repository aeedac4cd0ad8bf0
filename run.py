"""`python run.py`: upgrade the database, seed the demo county on first start, serve.

For development and evaluation. Production runs gunicorn plus one
`flask scheduler` process (README, "Production").
"""

import os

from flask_migrate import upgrade

from app import create_app
from app.cli import database_is_empty, init_database, print_logins, seed_demo_cases, seed_demo_data

app = create_app()


def prepare():
    with app.app_context():
        upgrade()
        init_database()
        if database_is_empty() and os.environ.get("GOVHALL_SEED_DEMO", "1") == "1":
            print("首次启动：正在生成示范县一年的数据（约 30 秒）……")
            summary = seed_demo_data()
            generated = seed_demo_cases(int(os.environ.get("GOVHALL_DEMO_CASES", "100000")))
            if generated:
                print(f"已生成一年的办件 {generated['cases']} 件，用时 {generated['seconds']} 秒。")
            print_logins(summary.logins)


def start_scheduler():
    """The jobs in-process, in a background thread: at once, or when no `flask scheduler`
    (or another run.py) holds the lease any more."""
    import atexit
    import threading

    from app.extensions import db
    from app.scheduler import Lease, serve

    with app.app_context():
        lease = Lease(db.engine)
    atexit.register(lease.release)  # the next start need not wait for the lease to run out
    threading.Thread(target=serve, args=(app, lease), daemon=True, name="scheduler").start()


if __name__ == "__main__":
    prepare()
    start_scheduler()
    host = os.environ.get("GOVHALL_HOST", "127.0.0.1")
    port = int(os.environ.get("GOVHALL_PORT", "5000"))
    print(f"GovHall 已启动：http://{host}:{port}/")
    app.run(host=host, port=port, debug=False, use_reloader=False)
