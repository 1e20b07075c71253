"""The documented scales used only when a pinned framework omits them (hmip-method.md §4, §11).

Typed like every other scale (framework_elements.Scale). Standard library only.
"""

from __future__ import annotations

from hmip_desktop.domain.framework_elements import Scale, ScaleLevel

# hmip-method.md §4.1: the four-level healthy prison scale (labels confirmed, values 4..1 a
# third-party convention). Only used when a framework has no "scale" key at all.
DEFAULT_SCALE = Scale("hmip4", "Healthy prison assessment", (
    ScaleLevel("good", "Good", "G", 4),
    ScaleLevel("reasonably_good", "Reasonably good", "RG", 3),
    ScaleLevel("not_sufficiently_good", "Not sufficiently good", "NSG", 2),
    ScaleLevel("poor", "Poor", "P", 1),
))

# hmip-method.md §11: progress on each followed-up item. Used when "progress_scale" is absent
# or null (null says IRPs do not apply to the type, but a full inspection still follows up).
DEFAULT_PROGRESS_SCALE = Scale("irp_progress", "Progress", (
    ScaleLevel("good_progress", "Good progress", "GP", 4),
    ScaleLevel("reasonable_progress", "Reasonable progress", "RP", 3),
    ScaleLevel("insufficient_progress", "Insufficient progress", "IP", 2),
    ScaleLevel("no_meaningful_progress", "No meaningful progress", "NMP", 1),
))
