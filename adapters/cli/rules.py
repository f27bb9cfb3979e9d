"""`jianfu rules list|show|lint|test`: the rule catalogue as a clerk or a reviewer reads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional

import typer
import yaml
from rich.console import Console
from rich.table import Table

from jianfu.adapters.catalogue import KIND_ZH, coverage, features_dir, find_rule
from jianfu.adapters.scenarios import index
from jianfu.engine import InvalidPack, load_folder

from .common import EXIT_INVALID, RulesOption, VerboseOption, err_console, fail, load_catalog, rules_dir, setup_logging

app = typer.Typer(help="规则包：列出、查看、检查、测试 / the rule packs: list, show, lint, test", no_args_is_help=True, rich_markup_mode=None)
FeaturesOption = typer.Option(None, "--features", help="场景目录 / folder of feature files", show_default="features/")


@app.command("list")
def list_rules(rules: Optional[Path] = RulesOption, verbose: int = VerboseOption) -> None:
    """列出所有规则和年度义务 / list every rule and yearly obligation."""
    setup_logging(verbose)
    catalog = load_catalog(rules)
    console = Console(highlight=False)
    for loaded in catalog.packs.values():
        pack = loaded.pack
        until = pack.effective.until or "—"
        console.print(f"[bold]{pack.id}[/] {pack.version}  {pack.title}  {'、'.join(pack.jurisdiction)}  {pack.effective.from_} – {until}"
                      + (f"  extends {pack.extends}" if pack.extends else ""))
        t = Table(show_header=True, header_style="bold")
        for col in ("条款", "规则", "类别", "结果", "标题"):
            t.add_column(col)
        for rule in pack.rules:
            t.add_row(rule.article, rule.id, rule.kind, {"block": "阻止", "advice": "提醒"}[rule.severity], rule.title)
        console.print(t)
        if pack.obligations:
            duties = Table(show_header=True, header_style="bold")
            for col in ("条款", "年度义务", "计数", "最低 / 周期", "标题"):
                duties.add_column(col)
            for duty in pack.obligations:
                counts = duty.counts.kind + (f"（{'、'.join(duty.counts.keywords)}）" if duty.counts.keywords else "")
                how = f"{duty.minimum} / {duty.period}" if duty.minimum else f"逐件销号（{duty.closed_by.link}）"
                duties.add_row(duty.article, duty.id, counts, how, duty.title)
            console.print(duties)
        for off in pack.overrides.switch_off:
            console.print(f"  停用 {off.rule}：{off.reason}")
    console.print("\n[bold]各地区覆盖情况[/] / what each jurisdiction's own law covers")
    covered = Table(show_header=True, header_style="bold")
    for col in ("地区", "规则包", *KIND_ZH.values(), "年度义务"):
        covered.add_column(col)
    for entry in coverage(catalog):
        cells = ["、".join(dict.fromkeys(f"第{r.article}条" for r in entry.rules[kind])) or "无规则" for kind in KIND_ZH]
        duties = "、".join(dict.fromkeys(o.article for o in entry.obligations)) or "无"
        covered.add_row(entry.jurisdiction, "、".join(entry.packs), *cells, duties)
    console.print(covered)
    console.print("无规则：该地区的法规（种子文本）对此没有规定，此类申请按\"无适用规则\"决定，不借用其他城市的规则包。 / "
                  "no rule: that city's law says nothing on it; such requests are decided with nothing applicable.")


@app.command()
def show(
    rule_id: Optional[str] = typer.Argument(None, metavar="RULE"),
    rules: Optional[Path] = RulesOption,
    features: Optional[Path] = FeaturesOption,
    every: bool = typer.Option(False, "--all", help="把每个规则包呈现为文档 / render every pack as a document"),
    fmt: str = typer.Option("md", "--format", "-f", help="md | html（与 --all 同用） / with --all"),
    out: Optional[Path] = typer.Option(None, "--out", help="写到该目录，每个规则包一个文件（与 --all 同用） / write one file per pack into this folder"),
) -> None:
    """查看一条规则：条文、解读、参数、条件、场景；--all 把每个规则包呈现为可审阅的文档 / one rule, or with --all every pack as a document."""
    catalog = load_catalog(rules)
    if every:
        _show_all(catalog, features, fmt, out)
        return
    if rule_id is None:
        err_console.print("请写明规则 id，或用 --all / name a rule, or give --all")
        raise typer.Exit(EXIT_INVALID)
    entry = find_rule(catalog, rule_id)
    if entry is None:
        err_console.print(f"没有规则 {rule_id!r} / no rule {rule_id!r}")
        raise typer.Exit(EXIT_INVALID)
    rule, loaded = entry.rule, entry.pack
    console = Console(highlight=False)
    console.print(f"[bold]{rule.id}[/]  第{rule.article}条  {rule.title}  （{loaded.id} {loaded.pack.version}，{rule.source}）")
    console.print(f"\n[bold]条文[/]  {rule.text}")
    if rule.reading:
        console.print(f"\n[bold]解读[/]  {rule.reading}")
    console.print(f"\n[bold]适用于[/] {rule.kind}   [bold]结果[/] {rule.severity}")
    if rule.approval:
        console.print(f"[bold]批准[/] {', '.join(rule.approval.by)}（{'可解除' if rule.approval.lifts else '为召开前提'}）")
    for name, param in entry.parameters:
        values = "，".join(f"{d} 起 {v}" for d, v in sorted(param.values.items()))
        console.print(f"[bold]参数[/] {name}：{param.description}（第{param.article}条）{values}")
    console.print("\n[bold]条件[/]")
    console.print(yaml.safe_dump(entry.condition, allow_unicode=True, sort_keys=False).rstrip(), markup=False)
    console.print(f"\n[bold]说明[/] {rule.message.zh}\n[bold]怎么办[/] {rule.remedy.zh}")
    scenarios = index(features_dir(features)).for_rule(rule.id)
    console.print("\n[bold]场景[/]")
    for s in scenarios:
        outcome = "、".join({"approve": "批准", "reject": "驳回"}[o] for o in sorted(s.outcomes)) or "—"
        console.print(f"  {s.name}（{outcome}） {Path(s.file).name}:{s.line}", markup=False)


def _show_all(catalog, features: Optional[Path], fmt: str, out: Optional[Path]) -> None:
    from jianfu.adapters.rule_document import markdown_to_html, pack_markdown

    if fmt not in ("md", "html"):
        err_console.print(f"--format 应为 md 或 html，收到 {fmt!r} / --format is md or html")
        raise typer.Exit(EXIT_INVALID)
    scenarios = index(features_dir(features))
    documents = {}
    for pack_id, loaded in catalog.packs.items():
        text = pack_markdown(catalog, pack_id, scenarios)
        documents[pack_id] = text if fmt == "md" else markdown_to_html(text, loaded.pack.title)
    if out is None:
        Console(highlight=False, soft_wrap=True).print("\n".join(documents.values()), markup=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    for pack_id, text in documents.items():
        (out / f"{pack_id}.{fmt}").write_text(text, encoding="utf-8")
    Console(highlight=False).print(f"已写出 {len(documents)} 个文件到 {out} / written", markup=False)


def docs_dir(rules: Optional[Path]) -> Path:
    """Where the rendered Markdown of the packs is committed: docs/rules/ beside the rules folder's parent."""
    return rules_dir(rules).resolve().parent / "docs" / "rules"


@app.command()
def lint(rules: Optional[Path] = RulesOption, features: Optional[Path] = FeaturesOption, verbose: int = VerboseOption) -> None:
    """检查规则包，并要求每条规则都有批准和驳回的场景 / check the packs and that every rule has both scenarios."""
    setup_logging(verbose)
    folder = rules_dir(rules)
    try:
        catalog = load_folder(folder)
    except InvalidPack as exc:
        fail(exc, "规则包无效 / invalid rule pack")
    scenarios = index(features_dir(features))
    problems = list(scenarios.errors)
    for rule, loaded in catalog.all_rules():
        for outcome, zh in (("approve", "批准"), ("reject", "驳回")):
            if not scenarios.shows(rule.id, outcome):
                problems.append(f"{loaded.file}: 规则 {rule.id}（第{rule.article}条）没有标注 @{rule.id} 且决定为\"{zh}\"的场景 / rule {rule.id} has no scenario that {outcome}s")
    obligations = [(o, loaded) for loaded in catalog.packs.values() for o in loaded.pack.obligations]
    for obligation, loaded in obligations:
        for outcome, zh in (("met", "已履行"), ("missed", "未履行")):
            if not scenarios.shows(obligation.id, outcome):
                problems.append(f"{loaded.file}: 义务 {obligation.id}（{obligation.article}）没有标注 @{obligation.id} 且义务为\"{zh}\"的场景 / obligation {obligation.id} has no scenario where it is {outcome}")
    documents = docs_dir(rules)
    if documents.is_dir() and features is None:
        from jianfu.adapters.rule_document import stale

        for path in stale(catalog, scenarios, documents):
            problems.append(f"{path}: 与规则包不一致，请运行 jianfu rules show --all --format md --out {documents} / "
                            "stale: regenerate it with jianfu rules show --all --format md --out docs/rules")
    console = Console(highlight=False)
    if problems:
        for p in problems:
            err_console.print(p, markup=False)
        raise typer.Exit(EXIT_INVALID)
    count = len(catalog.all_rules())
    console.print(f"规则包 {len(catalog.packs)} 个、规则 {count} 条、年度义务 {len(obligations)} 项、场景 {len(scenarios.scenarios)} 个：全部通过 / all good")


@app.command("new")
def new_pack(
    origin: str = typer.Option(..., "--from", help="作为样板的规则包 id / the pack to copy as a model"),
    jurisdiction: str = typer.Option(..., "--jurisdiction", help="新规则包适用的地区 / the jurisdiction of the new pack"),
    out: Path = typer.Option(..., "--out", help="写出的规则包文件 / the pack file to write"),
    pack_id: Optional[str] = typer.Option(None, "--id", help="新规则包 id（默认取文件名） / the new pack's id (default: the file name)"),
    rules: Optional[Path] = RulesOption,
) -> None:
    """以一个城市的规则包为样板，为另一地区起草规则包（条文与来源清空待填） / start a pack for another city from a model."""
    from jianfu.adapters.pack_template import PACK_ID, dump, model_copy

    catalog = load_catalog(rules)
    loaded = catalog.packs.get(origin)
    if loaded is None:
        err_console.print(f"没有规则包 {origin!r}（可选：{'、'.join(catalog.packs)}） / no pack {origin!r}", markup=False)
        raise typer.Exit(EXIT_INVALID)
    new_id = pack_id or out.stem
    if not PACK_ID.match(new_id) or new_id in catalog.packs:
        err_console.print(f"规则包 id {new_id!r} 无效或已存在，请用 --id 指定 / pack id {new_id!r} is invalid or taken: give --id", markup=False)
        raise typer.Exit(EXIT_INVALID)
    if out.exists():
        err_console.print(f"{out} 已存在，不覆盖 / {out} exists: not overwritten", markup=False)
        raise typer.Exit(EXIT_INVALID)
    data = yaml.safe_load(Path(loaded.file).read_text(encoding="utf-8"))
    out.write_text(dump(model_copy(data, new_id, jurisdiction, origin), origin, jurisdiction), encoding="utf-8")
    Console(highlight=False).print(f"已写出 {out}：{len(data.get('rules', []))} 条规则、{len(data.get('obligations', []))} 项义务的条文与来源待填写 / "
                                   f"written; fill in every text and source", markup=False)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def test(ctx: typer.Context, features: Optional[Path] = FeaturesOption) -> None:
    """运行特性场景（pytest-bdd） / run the feature scenarios with pytest-bdd; extra arguments go to pytest."""
    folder = features_dir(features)
    command = [sys.executable, "-m", "pytest", str(folder), "-q", *ctx.args]
    raise typer.Exit(subprocess.call(command, cwd=folder.parent))


from . import rules_diff  # noqa: E402 - what a revision changes, in a module of its own

app.command("diff")(rules_diff.rules_diff)
app.command("impact")(rules_diff.rules_impact)
