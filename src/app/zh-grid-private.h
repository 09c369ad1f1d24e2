/* zh-grid-private.h: ZhGrid's insides that tests and the benchmark look at. */
#pragma once

#include "zh-grid.h"

G_BEGIN_DECLS

/* Counters since the grid was made, and figures of the last snapshot. */
typedef struct
{
  guint  n_snapshots;        /* snapshot() calls that drew a model */
  guint  n_metrics;          /* full re-measures (model set, structure or font changed) */
  guint  n_layouts_created;  /* PangoLayouts made, all roles together */
  guint  n_layouts_cached;   /* PangoLayouts held now */
  guint  n_nodes;            /* render nodes appended by the last snapshot */
  gint64 snapshot_usec;      /* time the last snapshot took */
} ZhGridStats;

void        _zh_grid_get_stats             (ZhGrid          *self,
                                            ZhGridStats     *stats);
/* What the grid does with a key press that no shortcut took; TRUE if it used it. */
gboolean    _zh_grid_key_pressed           (ZhGrid          *self,
                                            guint            keyval,
                                            GdkModifierType  state);
/* The accessible description last given for the cursor cell. */
const char *_zh_grid_get_cursor_description (ZhGrid         *self);

G_END_DECLS
