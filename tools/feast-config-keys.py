#!/usr/bin/env python3
"""Extracts the keys Feast accepts in feature_store.yaml, from Feast's own source.

Usage: tools/feast-config-keys.py <feast git dir> <tag> > \
  online-writers/common/src/main/resources/io/sluice/common/config/feast-config-keys.json

It reads (never runs) Feast's Python at <tag>: the type tables in sdk/python/feast/repo_config.py
(registry, online store, offline store, batch engine, feature server, auth) and, for each type,
the pydantic config class it names. A class's keys are its annotated fields and those of its
bases (Feast's mixins such as VectorStoreConfig included), by alias where a field has one. Its
`extra` policy is pydantic's: "forbid" under FeastConfigBaseModel, "allow" under FeastBaseModel,
"ignore" under a plain BaseModel, unless the class sets model_config itself. Sluice's config
reader loads the JSON this prints; regenerate it when Sluice moves to a newer Feast.
"""
import ast
import json
import subprocess
import sys

GIT_DIR, TAG = sys.argv[1], sys.argv[2]
ROOT = "sdk/python/"
_sources = {}
_packages = set()


def source(module):
    if module in _sources:
        return _sources[module]
    base = ROOT + module.replace(".", "/")
    for path in (base + ".py", base + "/__init__.py"):
        result = subprocess.run(
            ["git", "--git-dir", GIT_DIR, "show", f"{TAG}:{path}"], capture_output=True, text=True
        )
        if result.returncode == 0:
            if path.endswith("__init__.py"):
                _packages.add(module)
            _sources[module] = ast.parse(result.stdout)
            return _sources[module]
    _sources[module] = None
    return None


def imports(tree, module):
    names = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            target = node.module
            if node.level:
                parts = module.split(".")
                # in a package's __init__, level 1 is the package itself
                drop = node.level - (1 if module in _packages else 0)
                target = ".".join(parts[: len(parts) - drop] + [node.module])
            for alias in node.names:
                names[alias.asname or alias.name] = (target, alias.name)
    return names


POLICY = {"FeastConfigBaseModel": "forbid", "FeastBaseModel": "allow", "BaseModel": "ignore"}


def model_config_extra(cls):
    for node in cls.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets):
                if isinstance(node.value, ast.Call):
                    for kw in node.value.keywords:
                        if kw.arg == "extra" and isinstance(kw.value, ast.Constant):
                            return kw.value.value
    return None


def describe(module, name):
    """(keys, extra) of class `name` in `module`, following its bases."""
    tree = source(module)
    if tree is None:
        raise SystemExit(f"module {module} not found at {TAG}")
    cls = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None
    )
    if cls is None:
        target = imports(tree, module).get(name)
        if target:
            return describe(*target)
        raise SystemExit(f"class {name} not found in {module}")
    keys, extra = [], model_config_extra(cls)
    known = imports(tree, module)
    for base in cls.bases:
        base_name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
        if base_name in POLICY:
            extra = extra or POLICY[base_name]
            continue
        base_module, base_class = known.get(base_name, (module, base_name))
        base_keys, base_extra = describe(base_module, base_class)
        keys += [k for k in base_keys if k not in keys]
        extra = extra or base_extra
    for node in cls.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        field = node.target.id
        if field.startswith("_") or field == "model_config":
            continue
        if "ClassVar" in ast.unparse(node.annotation):
            continue
        key = field
        if isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "Field":
            for kw in node.value.keywords:
                if kw.arg == "alias" and isinstance(kw.value, ast.Constant):
                    key = kw.value.value
        if key not in keys:
            keys.append(key)
    return keys, extra or "ignore"


def type_table(name):
    tree = source("feast.repo_config")
    tables = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            tables[node.targets[0].id] = node.value
    table = {}
    for key, value in zip(tables[name].keys, tables[name].values):
        if key is None:  # a ** spread of another table
            table.update(type_table(value.id))
        else:
            table[key.value] = value.value
    return table


def config_class(path, suffix):
    module, cls = path.rsplit(".", 1)
    return module, cls + suffix


def section(table, suffix):
    out = {}
    for type_name, path in type_table(table).items():
        try:
            keys, extra = describe(*config_class(path, suffix))
        except SystemExit as e:  # Feast itself cannot import these (stale legacy aliases)
            print(f"skipping {table}[{type_name}]: {e}", file=sys.stderr)
            continue
        out[type_name] = {"keys": keys, "extra": extra}
    return out


def single(module, name):
    keys, extra = describe(module, name)
    return {"keys": keys, "extra": extra}


top = single("feast.repo_config", "RepoConfig")
# RepoConfig.__init__ also takes the pre-alias name of the batch engine section.
top["keys"].append("batch_engine_config")

result = {
    "feast_version": TAG.lstrip("v"),
    "generated_by": "tools/feast-config-keys.py",
    "top_level": top,
    "sections": {
        "registry": {"types": section("REGISTRY_CLASS_FOR_TYPE", "Config")},
        "online_store": {"types": section("ONLINE_STORE_CLASS_FOR_TYPE", "Config")},
        "offline_store": {"types": section("OFFLINE_STORE_CLASS_FOR_TYPE", "Config")},
        "batch_engine": {"types": section("BATCH_ENGINE_CLASS_FOR_TYPE", "Config")},
        "feature_server": {"types": section("FEATURE_SERVER_CONFIG_CLASS_FOR_TYPE", "")},
        "auth": {"types": section("AUTH_CONFIGS_CLASS_FOR_TYPE", "")},
        "materialization": single("feast.repo_config", "MaterializationConfig"),
        "openlineage": single("feast.repo_config", "OpenLineageConfig"),
        "mlflow": single("feast.mlflow_integration.config", "MlflowConfig"),
        "data_quality_monitoring": single("feast.repo_config", "DataQualityMonitoringConfig"),
        "embedding_model": single("feast.repo_config", "EmbeddingModelConfig"),
    },
}
json.dump(result, sys.stdout, indent=1, sort_keys=False)
print()
