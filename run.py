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
            print("首次启动：正在生成示范县数据（约 20 秒）……")
            summary = seed_demo_data()
            generated = seed_demo_cases(int(os.environ.get("GOVHALL_DEMO_CASES", "100000")))
            if generated:
                print(f"已生成一年的办件 {generated['cases']} 件，用时 {generated['seconds']} 秒。")
            print_logins(summary.logins)


def start_scheduler():
    """The jobs in-process, unless a `flask scheduler` (or another run.py) already holds the lock."""
    from pathlib import Path

    from apscheduler.schedulers.background import BackgroundScheduler

    from app.extensions import db
    from app.scheduler import SingleInstanceLock, build

    with app.app_context():
        lock = SingleInstanceLock(db.engine, Path(app.instance_path) / "scheduler.lock")
        if not lock.acquire(blocking=False):
            print("调度进程已在别处运行，本进程不运行定时任务。")
            return None
    scheduler = build(app, BackgroundScheduler)
    scheduler.start()
    return scheduler


if __name__ == "__main__":
    prepare()
    start_scheduler()
    host = os.environ.get("GOVHALL_HOST", "127.0.0.1")
    port = int(os.environ.get("GOVHALL_PORT", "5000"))
    print(f"GovHall 已启动：http://{host}:{port}/")
    app.run(host=host, port=port, debug=False, use_reloader=False)
