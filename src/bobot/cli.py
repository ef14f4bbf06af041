"""The `bobot` command: migrate, demo, serve, worker, deliveries, token create|list|revoke,
export-schema, export-event-schemas, doctor, slack-shell, recount-deliveries, simulate."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta

from bobot.config import ConfigError, Settings


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        sys.exit(f"bobot: configuration error: {exc}")


async def _migrate(settings: Settings) -> None:
    from bobot.db import migrate

    await migrate(settings.database_url)
    print(f"Migrations applied to {settings.database_url}")


async def _demo(settings: Settings, if_empty: bool) -> None:
    from bobot.db import connected
    from bobot.demo import is_empty, load_demo
    from bobot.services.context import Deps

    async with connected(settings.database_url):
        if not await is_empty():
            if if_empty:
                print("Database already has data; demo not loaded.")
                return
            sys.exit("bobot: the database is not empty; `bobot demo` only fills an empty one.")
        summary = await load_demo(deps=Deps(settings=settings))
        print(f"Demo data loaded: {summary}")


_DURATION_UNITS = {"m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> timedelta:
    """``30d``, ``12h`` or ``90m``."""
    number, unit = text[:-1], text[-1:].lower()
    if not number.isdigit() or unit not in _DURATION_UNITS or int(number) == 0:
        raise argparse.ArgumentTypeError(f"a duration is like 30d, 12h or 90m, not {text!r}")
    return timedelta(seconds=int(number) * _DURATION_UNITS[unit])


async def _token(settings: Settings, args: argparse.Namespace) -> None:
    from bobot.db import connected
    from bobot.errors import BobotError
    from bobot.models import TokenRole
    from bobot.services import tokens
    from bobot.services.context import Actor, Deps

    deps = Deps(settings=settings)
    async with connected(settings.database_url):
        if args.token_command == "create":
            try:
                _, secret = await tokens.create_token(
                    name=args.name,
                    role=TokenRole(args.role.upper()),
                    deps=deps,
                    expires_in=args.expires_in,
                )
            except (BobotError, ValueError) as exc:
                sys.exit(f"bobot: {exc}")
            print(secret)
        elif args.token_command == "list":
            rows = await tokens.list_tokens(include_revoked=args.all)
            print(
                f"{'id':>5}  {'role':<10}  {'created':<20}  {'expires':<20}  {'revoked':<20}  name"
            )
            for t in rows:
                print(
                    f"{t.id:>5}  {t.role.value.lower():<10}  {_when(t.created_at):<20}  "
                    f"{_when(t.expires_at):<20}  {_when(t.revoked_at):<20}  {t.name}"
                )
        else:
            actor = Actor("operator", "cli", "cli")
            try:
                token = await tokens.revoke_token(token_id=args.id, actor=actor, deps=deps)
            except BobotError as exc:
                sys.exit(f"bobot: {exc}")
            print(f"Token {token.id} ({token.name}) revoked at {_when(token.revoked_at)}.")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "-"


async def _local_tokens(settings: Settings) -> tuple[str, str]:
    from bobot.db import connected
    from bobot.models import TokenRole
    from bobot.services.context import Deps
    from bobot.services.tokens import create_token

    deps = Deps(settings=settings)
    async with connected(settings.database_url):
        _, staff = await create_token(name="local staff", role=TokenRole.STAFF, deps=deps)
        _, shop = await create_token(name="local storefront", role=TokenRole.STOREFRONT, deps=deps)
    return staff, shop


def _serve(settings: Settings, host: str, port: int, with_worker: bool) -> None:
    import uvicorn

    from bobot.app import create_app

    if settings.debug:
        staff, shop = asyncio.run(_local_tokens(settings))
        print(
            f"\nbobot is starting on http://{host}:{port}\n"
            f"  GraphiQL:          http://{host}:{port}/graphql\n"
            f"  staff token:       {staff}\n"
            f"  storefront token:  {shop}\n"
            f"  (send as the header  Authorization: Bearer <token>)\n",
            flush=True,
        )
    app = create_app(settings, run_worker=with_worker)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


async def _worker(settings: Settings, once: bool) -> None:
    from bobot.db import connected
    from bobot.outbox import routing
    from bobot.services.context import Deps
    from bobot.worker import run_forever, run_once

    routing.configure(settings)
    deps = Deps(settings=settings)
    async with connected(settings.database_url, pool_max=settings.db_pool_max):
        if once:
            print(await run_once(deps))
        else:
            await run_forever(deps)


async def _doctor(settings: Settings) -> int:
    from bobot.db import connected
    from bobot.services.doctor import examine

    async with connected(settings.database_url):
        report = await examine()
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


async def _recount_deliveries(settings: Settings) -> None:
    from bobot.db import connected
    from bobot.services.context import Deps
    from bobot.services.reliability import recount_deliveries

    async with connected(settings.database_url):
        counted = await recount_deliveries(deps=Deps(settings=settings))
    print(f"Supplier records recounted from the history: {counted} deliveries")


def _slack_shell(settings: Settings, args: argparse.Namespace) -> int:
    from bobot.slack.shell import run

    # Refusals are part of the conversation here, not errors worth a traceback.
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    click = tuple(args.click) if args.click else None
    return asyncio.run(
        run(
            settings,
            text=" ".join(args.text) if args.text else None,
            click=click,
            alert=args.alert,
            user=args.user,
            role=args.role,
        )
    )


def _simulate(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from bobot.simulation import SeasonArgs, simulate, write_report

    if args.days < 1 or args.products < 1 or not 0.0 <= args.late_share <= 1.0:
        print(
            "bobot: --days and --products must be at least 1, --late-share between 0 and 1",
            file=sys.stderr,
        )
        return 2
    season = SeasonArgs(args.days, args.products, args.seed, args.late_share)
    workers = args.workers or min(2, os.cpu_count() or 1)
    sim = asyncio.run(simulate(season, workers=workers))
    path = write_report(sim, Path(args.out))
    print(f"{path} written in {sim.seconds:.1f} s")
    return 0


def _export_schema() -> None:
    from bobot.graphql.schema import schema_sdl

    sys.stdout.write(schema_sdl())


def _export_events(folder: str) -> None:
    from pathlib import Path

    from bobot.domain.events import schema_files

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, text in schema_files().items():
        (target / name).write_text(text)
    print(f"{len(schema_files())} event schemas written to {target}")


async def _deliveries(settings: Settings) -> None:
    from bobot.db import connected
    from bobot.services.webhooks import delivery_counts

    async with connected(settings.database_url):
        counts = await delivery_counts()
    pending = sum(c.get("PENDING", 0) for c in counts.values())
    failed = sum(c.get("FAILED", 0) for c in counts.values())
    print(f"pending: {pending}  failed: {failed}")
    for channel, by_status in counts.items():
        print(
            f"  {channel:<8} pending {by_status.get('PENDING', 0):>6}"
            f"  failed {by_status.get('FAILED', 0):>6}"
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bobot", description="Backorder management service.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations")
    demo = sub.add_parser("demo", help="load demo data into an empty database")
    demo.add_argument("--if-empty", action="store_true", help="do nothing if there is data")
    serve = sub.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--with-worker", action="store_true", help="run the worker in-process")
    worker = sub.add_parser("worker", help="run the worker")
    worker.add_argument("--once", action="store_true", help="run each job once and exit")
    token = sub.add_parser("token", help="manage API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="create a token and print it (shown once)")
    create.add_argument("--role", choices=["staff", "storefront"], required=True)
    create.add_argument(
        "--expires-in", type=duration, default=None, help="e.g. 90d, 12h (default: never)"
    )
    create.add_argument("name")
    listing = token_sub.add_parser("list", help="list the tokens (never their secrets)")
    listing.add_argument("--all", action="store_true", help="include revoked tokens")
    revoke = token_sub.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("id", type=int)
    sub.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    events = sub.add_parser("export-event-schemas", help="write docs/events/ (JSON Schemas)")
    events.add_argument("folder", nargs="?", default="docs/events")
    sub.add_parser("deliveries", help="print the pending and failed deliveries per channel")
    sub.add_parser(
        "doctor", help="check counters against the rows and the history; exit 1 on drift"
    )
    sub.add_parser(
        "recount-deliveries",
        help="count every supplier's deliveries again from the history (learned margins)",
    )
    shell = sub.add_parser(
        "slack-shell",
        help="send a /bobot command or a click through the bot, without Slack",
        description="Runs the bot on the configured database against a local Slack stand-in "
        "and prints what it answers and posts. Examples: `bobot slack-shell sku KETTLE-01`, "
        "`bobot slack-shell --alert 1`, `bobot slack-shell --click switch_approve 1:1`.",
    )
    shell.add_argument("text", nargs="*", help="the command after /bobot, e.g. shortages")
    shell.add_argument(
        "--click", nargs=2, metavar=("ACTION_ID", "VALUE"), help="click a button or menu choice"
    )
    shell.add_argument("--alert", metavar="ID", help="post alert ID as the alert channel would")
    shell.add_argument("--user", default="U0SHELL", help="the Slack user ID to act as")
    shell.add_argument(
        "--role", choices=["approver", "staff", "stranger"], default="approver",
        help="what that user is (default: approver)",
    )  # fmt: skip
    simulate = sub.add_parser(
        "simulate",
        help="run a season of demand and suppliers through four policies; write a report",
        description="Plays a season of demand, suppliers and customers through the real "
        "services on throw-away databases, once per policy (baseline, fixed margin, learned "
        "margins, learned margins with supplier switches), and writes report.md and PNG plots.",
    )
    simulate.add_argument("--days", type=int, default=180, help="length of the season")
    simulate.add_argument("--products", type=int, default=200, help="products in the catalog")
    simulate.add_argument("--seed", type=int, default=1, help="the random seed (default 1)")
    simulate.add_argument(
        "--late-share", type=float, default=0.2, help="share of purchase orders late (0.2)"
    )
    simulate.add_argument("--out", default="docs/simulation", help="folder of the report")
    simulate.add_argument(
        "--workers", type=int, default=0, help="policies run at once (default: up to 2)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.command in ("slack-shell", "simulate") else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "export-schema":
        _export_schema()
        return
    if args.command == "export-event-schemas":
        _export_events(args.folder)
        return
    if args.command == "simulate":
        sys.exit(_simulate(args))
    settings = _settings()
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
    elif args.command == "demo":
        asyncio.run(_demo(settings, args.if_empty))
    elif args.command == "serve":
        _serve(settings, args.host or settings.host, args.port or settings.port, args.with_worker)
    elif args.command == "worker":
        asyncio.run(_worker(settings, args.once))
    elif args.command == "deliveries":
        asyncio.run(_deliveries(settings))
    elif args.command == "token":
        asyncio.run(_token(settings, args))
    elif args.command == "doctor":
        sys.exit(asyncio.run(_doctor(settings)))
    elif args.command == "slack-shell":
        sys.exit(_slack_shell(settings, args))
    elif args.command == "recount-deliveries":
        asyncio.run(_recount_deliveries(settings))
