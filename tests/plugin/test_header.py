"""The session header's settings line (the profile, data, device and expectation lines are checked through
pytest itself in test_plugin.py)."""

from mpmodel.plugin.header import settings_line
from mpmodel.plugin.options import Settings


def test_settings_line_names_every_setting_and_offline():
    s = Settings(profile="small", policies=("float32", "mixed_bfloat16"), jit=("auto", "off"), fp32=("auto",),
                 min_speedup={"mixed_bfloat16": 1.5}, accuracy_tol=0.15, data="synthetic", require_gpu=False, offline=True)
    assert settings_line(s) == ("mpmodel: profile=small policies=float32,mixed_bfloat16 jit=auto,off fp32=auto "
                                "data=synthetic (offline) accuracy_tol=0.15 min_speedup={'mixed_bfloat16': 1.5}")
