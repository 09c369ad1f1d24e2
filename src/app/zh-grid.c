/* zh-grid.c: the journal grid — one widget that lays out and paints only the visible cells.
 *
 * Why one widget and not GtkColumnView: a column view virtualises rows but not columns, so a year
 * page of 40 students × 200 lessons drew about 27,500 render nodes a frame and scrolled at
 * 35–65 ms a frame on llvmpipe (FACTS in the issue). Here the model is asked only for the cells
 * on screen, and each distinct text («5», «н», «4/5», a name) is shaped once into a PangoLayout
 * that later frames reuse: marks have a dozen distinct values, and a PangoLayout made per cell per
 * frame alone would cost about 9 ms a frame.
 *
 * Geometry (widget coordinates): the row headers (names) fill x < name_width; the header row fills
 * y < header_height; ordinary columns scroll in between; trailing summary columns are pinned to the
 * right edge while there is room for them. The adjustments cover exactly the content, so their
 * range is exactly the overflow (GtkScrollable, after gtk/gtkviewport.c).
 *
 * Colours come from the style context (GTK 4.8 has no gtk_widget_get_color, which is 4.10): the
 * text colour is the widget's CSS `color` (the grid carries the .view style class), accent, error
 * and orange come from libadwaita's named colours with fixed fallbacks, and the lines and tints
 * are those colours at low opacity, so a dark style needs nothing extra.
 */
#define G_LOG_DOMAIN "zh-grid"

#include "config.h"

#include <glib/gi18n.h>

#include "zh-grid-private.h"

/* Paddings in pixels; the rest follows from the font. */
#define CELL_PAD_X      4   /* each side of a cell's text */
#define CELL_PAD_Y      3
#define HEADER_PAD_X    3
#define NAME_PAD_X      6
#define NAME_WIDTH_MIN  120
#define NAME_WIDTH_MAX  280
#define STRONG_ROW_LINE 5   /* every fifth row line is drawn stronger, as on journal paper */
/* A role's cache is emptied past this many layouts, so reports cannot grow it forever. */
#define TEXT_CACHE_MAX  4096

/* Each role has its own font and its own cache of layouts. */
typedef enum
{
  ROLE_CELL,
  ROLE_CELL_BOLD,
  ROLE_CELL_CODE,      /* a cell whose first word is a code (ZH_GRID_CELL_CODE) */
  ROLE_CELL_CODE_BOLD,
  ROLE_HEADER,
  ROLE_HEADER_BOLD,
  ROLE_ROW,
  ROLE_NUMBER,
  N_ROLES
} TextRole;

typedef struct
{
  PangoLayout *layout;
  int          width;
  int          height;
} GridText;

typedef struct
{
  GdkRGBA fg;
  GdkRGBA dim;
  GdkRGBA line;
  GdkRGBA line_strong;
  GdkRGBA frame;
  GdkRGBA header_bg;
  GdkRGBA accent;
  GdkRGBA accent_tint;
  GdkRGBA cursor_tint;
  GdkRGBA emphasis_tint;
  GdkRGBA error;
  GdkRGBA error_tint;
  GdkRGBA warning;
  GdkRGBA warning_tint;
  GdkRGBA disabled_tint;
} GridColors;

/* Where things are for the current allocation and scroll position. */
typedef struct
{
  int width;
  int height;
  int x_scroll;   /* x of ordinary column 0 */
  int x_summary;  /* x of the first summary column */
  int body_x1;    /* right edge of the ordinary columns' clip */
  int y_rows;     /* y of row 0 */
  int hvalue;
  int vvalue;
  gboolean freeze_right;
} Geometry;

struct _ZhGrid
{
  GtkWidget      parent_instance;

  ZhGridModel   *model;
  GtkAdjustment *hadjustment;
  GtkAdjustment *vadjustment;
  guint          hscroll_policy : 1;
  guint          vscroll_policy : 1;
  guint          metrics_valid : 1;
  guint          colors_valid : 1;
  guint          scroll_pending : 1;

  /* Measured from the model and the font by ensure_metrics (). */
  PangoContext  *metrics_context;
  guint          metrics_serial;
  PangoFontDescription *fonts[N_ROLES];
  GHashTable    *texts[N_ROLES];  /* text → GridText */
  int            row_text_limit;  /* names wider than this are ellipsized; 0 while measuring */
  guint          n_rows;
  guint          n_columns;
  guint          n_ordinary;      /* columns before the trailing summary columns */
  int           *column_x;        /* n_columns + 1 offsets; summary columns follow ordinary ones */
  guint         *band_start;      /* first column of each ordinary column's band */
  gboolean      *band_shown;      /* whether the column has a band caption */
  int            row_height;
  int            band_height;
  int            title_height;
  int            header_height;
  int            name_width;
  int            number_width;
  int            min_column_width;

  GridColors     colors;

  guint          cursor_row;
  guint          cursor_column;
  char          *cursor_description;

  ZhGridStats    stats;
};

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_CURSOR_ROW,
  PROP_CURSOR_COLUMN,
  N_PROPS,
  /* GtkScrollable's, overridden */
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

static GParamSpec *properties[N_PROPS];

enum
{
  CELL_INPUT,
  CELL_DELETE,
  CELL_ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE_WITH_CODE (ZhGrid, zh_grid, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, NULL))

static void update_cursor_description (ZhGrid *self);

/* ---- texts ---------------------------------------------------------------------------------- */

static void
grid_text_free (gpointer data)
{
  GridText *text = data;

  g_object_unref (text->layout);
  g_free (text);
}

/* The layout of @text in @role, made on first use and kept. */
static GridText *
text_get (ZhGrid     *self,
          TextRole    role,
          const char *text)
{
  GridText *t = g_hash_table_lookup (self->texts[role], text);

  if (t != NULL)
    return t;

  t = g_new0 (GridText, 1);
  t->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  pango_layout_set_font_description (t->layout, self->fonts[role]);
  if (role == ROLE_ROW && self->row_text_limit > 0)
    {
      pango_layout_set_width (t->layout, self->row_text_limit * PANGO_SCALE);
      pango_layout_set_ellipsize (t->layout, PANGO_ELLIPSIZE_END);
    }
  if (role == ROLE_CELL_CODE || role == ROLE_CELL_CODE_BOLD)
    {
      /* The code is the first word: in a lighter ink it reads apart from a mark («б» from «6»),
       * at no cost per frame, since the layout is made once per distinct text. */
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
      const char *end = text;
      PangoAttribute *alpha;

      while (*end != '\0' && *end != ' ' && !g_str_has_prefix (end, "\u2009"))
        end = g_utf8_next_char (end);
      alpha = pango_attr_foreground_alpha_new (G_MAXUINT16 * 55 / 100);
      alpha->start_index = 0;
      alpha->end_index = end - text;
      pango_attr_list_insert (attrs, alpha);
      pango_layout_set_attributes (t->layout, attrs);
    }
  pango_layout_get_pixel_size (t->layout, &t->width, &t->height);
  g_hash_table_insert (self->texts[role], g_strdup (text), t);
  self->stats.n_layouts_created++;
  return t;
}

static void
drop_texts (ZhGrid *self)
{
  for (guint i = 0; i < N_ROLES; i++)
    {
      g_hash_table_remove_all (self->texts[i]);
      g_clear_pointer (&self->fonts[i], pango_font_description_free);
    }
}

/* ---- metrics -------------------------------------------------------------------------------- */

static PangoFontDescription *
font_derive (const PangoFontDescription *base,
             int                         percent,
             PangoWeight                 weight)
{
  PangoFontDescription *font = pango_font_description_copy (base);
  int size = pango_font_description_get_size (base);

  if (percent != 100 && size > 0)
    {
      if (pango_font_description_get_size_is_absolute (base))
        pango_font_description_set_absolute_size (font, (double) size * percent / 100);
      else
        pango_font_description_set_size (font, size * percent / 100);
    }
  pango_font_description_set_weight (font, weight);
  return font;
}

static void
make_fonts (ZhGrid *self)
{
  const PangoFontDescription *base =
    pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (self)));

  self->fonts[ROLE_CELL] = font_derive (base, 100, PANGO_WEIGHT_NORMAL);
  self->fonts[ROLE_CELL_BOLD] = font_derive (base, 100, PANGO_WEIGHT_BOLD);
  self->fonts[ROLE_CELL_CODE] = font_derive (base, 100, PANGO_WEIGHT_NORMAL);
  self->fonts[ROLE_CELL_CODE_BOLD] = font_derive (base, 100, PANGO_WEIGHT_BOLD);
  self->fonts[ROLE_HEADER] = font_derive (base, 85, PANGO_WEIGHT_NORMAL);
  self->fonts[ROLE_HEADER_BOLD] = font_derive (base, 85, PANGO_WEIGHT_BOLD);
  self->fonts[ROLE_ROW] = font_derive (base, 100, PANGO_WEIGHT_NORMAL);
  self->fonts[ROLE_NUMBER] = font_derive (base, 85, PANGO_WEIGHT_NORMAL);
}

static TextRole
cell_role (ZhGridCellFlags flags)
{
  if (flags & ZH_GRID_CELL_CODE)
    return (flags & ZH_GRID_CELL_EMPHASIS) ? ROLE_CELL_CODE_BOLD : ROLE_CELL_CODE;
  return (flags & ZH_GRID_CELL_EMPHASIS) ? ROLE_CELL_BOLD : ROLE_CELL;
}

/* Widen @column to hold its cells from @row_begin to @row_end; TRUE if it grew. */
static gboolean
fit_column (ZhGrid *self,
            guint   column,
            guint   row_begin,
            guint   row_end,
            int    *width)
{
  gboolean grew = FALSE;

  for (guint r = row_begin; r < row_end; r++)
    {
      ZhGridCell cell;

      zh_grid_model_get_cell (self->model, r, column, &cell);
      if (cell.text != NULL && cell.text[0] != '\0')
        {
          GridText *t = text_get (self, cell_role (cell.flags), cell.text);

          if (t->width + 2 * CELL_PAD_X > *width)
            {
              *width = t->width + 2 * CELL_PAD_X;
              grew = TRUE;
            }
        }
    }
  return grew;
}

static void
compute_column_x (ZhGrid *self,
                  int    *widths)
{
  self->column_x[0] = 0;
  for (guint c = 0; c < self->n_columns; c++)
    self->column_x[c + 1] = self->column_x[c] + widths[c];
}

/* Everything that depends on the model's structure and the font: row height, column widths,
 * name column width. Drops the layouts when the font changed. FALSE when there is nothing to
 * draw. */
static gboolean
ensure_metrics (ZhGrid *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  PangoContext *context = gtk_widget_get_pango_context (widget);
  guint serial = pango_context_get_serial (context);
  g_autofree int *widths = NULL;
  g_autofree char *prev_band = NULL;
  int max_name = 0;
  guint max_number = 0;
  gboolean has_bands = FALSE;
  gboolean has_markers = FALSE;
  GridText *probe;
  GHashTableIter iter;
  gpointer value;

  /* A new font, resolution or font options: every layout and size is stale. */
  if (context != self->metrics_context || serial != self->metrics_serial)
    {
      self->metrics_context = context;
      self->metrics_serial = serial;
      self->metrics_valid = FALSE;
      drop_texts (self);
    }
  if (self->metrics_valid)
    return self->model != NULL && self->n_rows > 0 && self->n_columns > 0;

  self->metrics_valid = TRUE;
  self->stats.n_metrics++;
  if (self->fonts[0] == NULL)
    make_fonts (self);
  for (guint i = 0; i < N_ROLES; i++)
    if (g_hash_table_size (self->texts[i]) > TEXT_CACHE_MAX)
      g_hash_table_remove_all (self->texts[i]);
  /* Names are measured unclipped, then clipped to the column they decide. */
  g_hash_table_remove_all (self->texts[ROLE_ROW]);
  self->row_text_limit = 0;

  self->n_rows = self->model != NULL ? zh_grid_model_get_n_rows (self->model) : 0;
  self->n_columns = self->model != NULL ? zh_grid_model_get_n_columns (self->model) : 0;
  g_free (self->column_x);
  g_free (self->band_start);
  g_free (self->band_shown);
  self->column_x = g_new0 (int, self->n_columns + 1);
  self->band_start = g_new0 (guint, self->n_columns + 1);
  self->band_shown = g_new0 (gboolean, self->n_columns + 1);
  widths = g_new0 (int, self->n_columns + 1);

  probe = text_get (self, ROLE_CELL, "4/5");
  self->row_height = MAX (probe->height + 2 * CELL_PAD_Y, 18);
  /* A double mark always fits, so pages do not change width when one appears. */
  self->min_column_width = probe->width + 6;
  probe = text_get (self, ROLE_HEADER, "0");
  self->title_height = probe->height + 1;

  /* Columns: summary columns are the trailing run of ZH_GRID_COLUMN_SUMMARY. */
  self->n_ordinary = self->n_columns;
  for (guint c = self->n_columns; c > 0; c--)
    {
      ZhGridColumn column;

      zh_grid_model_get_column (self->model, c - 1, &column);
      if (column.kind != ZH_GRID_COLUMN_SUMMARY)
        break;
      self->n_ordinary = c - 1;
    }
  for (guint c = 0; c < self->n_columns; c++)
    {
      ZhGridColumn column;
      int w = self->min_column_width;

      zh_grid_model_get_column (self->model, c, &column);
      if (column.title != NULL && column.title[0] != '\0')
        w = MAX (w, text_get (self, ROLE_HEADER, column.title)->width + 2 * HEADER_PAD_X);
      if (column.marker != NULL && column.marker[0] != '\0')
        {
          w = MAX (w, text_get (self, ROLE_HEADER_BOLD, column.marker)->width + 2 * HEADER_PAD_X);
          has_markers = TRUE;
        }
      if (c < self->n_ordinary)
        {
          gboolean same = c > 0 && g_strcmp0 (prev_band, column.band) == 0;

          self->band_start[c] = same ? self->band_start[c - 1] : c;
          self->band_shown[c] = column.band != NULL && column.band[0] != '\0';
          has_bands |= self->band_shown[c];
          g_free (prev_band);
          prev_band = g_strdup (column.band);
        }
      else
        self->band_start[c] = c;
      widths[c] = w;
      fit_column (self, c, 0, self->n_rows, &widths[c]);
    }
  compute_column_x (self, widths);

  self->band_height = has_bands ? self->title_height + 2 : 0;
  self->header_height = self->band_height + self->title_height * (has_markers ? 2 : 1) + 6;

  /* Row headers: the number gutter, then the names. */
  for (guint r = 0; r < self->n_rows; r++)
    {
      ZhGridRow row;

      zh_grid_model_get_row (self->model, r, &row);
      max_number = MAX (max_number, row.number);
      if (row.title != NULL)
        max_name = MAX (max_name, text_get (self, ROLE_ROW, row.title)->width);
    }
  if (max_number > 0)
    {
      char digits[16];

      g_snprintf (digits, sizeof digits, "%u", max_number);
      self->number_width = text_get (self, ROLE_NUMBER, digits)->width + NAME_PAD_X;
    }
  else
    self->number_width = 0;
  self->name_width = CLAMP (self->number_width + max_name + 2 * NAME_PAD_X,
                            NAME_WIDTH_MIN, NAME_WIDTH_MAX);

  self->row_text_limit = self->name_width - self->number_width - 2 * NAME_PAD_X;
  g_hash_table_iter_init (&iter, self->texts[ROLE_ROW]);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GridText *t = value;

      if (t->width > self->row_text_limit)
        {
          pango_layout_set_width (t->layout, self->row_text_limit * PANGO_SCALE);
          pango_layout_set_ellipsize (t->layout, PANGO_ELLIPSIZE_END);
          pango_layout_get_pixel_size (t->layout, &t->width, &t->height);
        }
    }

  gtk_accessible_update_relation (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_RELATION_ROW_COUNT, (int) self->n_rows,
                                  GTK_ACCESSIBLE_RELATION_COL_COUNT, (int) self->n_columns,
                                  -1);

  return self->model != NULL && self->n_rows > 0 && self->n_columns > 0;
}

static void
invalidate_metrics (ZhGrid *self)
{
  self->metrics_valid = FALSE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static int
content_width (ZhGrid *self)
{
  return self->n_columns > 0 ? self->name_width + self->column_x[self->n_columns] : 0;
}

static int
content_height (ZhGrid *self)
{
  return self->n_columns > 0 ? self->header_height + (int) self->n_rows * self->row_height : 0;
}

static int
summary_width (ZhGrid *self)
{
  return self->column_x[self->n_columns] - self->column_x[self->n_ordinary];
}

static void
compute_geometry (ZhGrid   *self,
                  Geometry *g)
{
  int lessons_width = self->column_x[self->n_ordinary];
  int summary = summary_width (self);

  g->width = gtk_widget_get_width (GTK_WIDGET (self));
  g->height = gtk_widget_get_height (GTK_WIDGET (self));
  g->hvalue = self->hadjustment != NULL ? (int) gtk_adjustment_get_value (self->hadjustment) : 0;
  g->vvalue = self->vadjustment != NULL ? (int) gtk_adjustment_get_value (self->vadjustment) : 0;
  g->x_scroll = self->name_width - g->hvalue;
  g->y_rows = self->header_height - g->vvalue;
  /* Pin the summary columns only while a few ordinary columns still fit beside them. */
  g->freeze_right = summary > 0 &&
                    g->width - self->name_width - summary >= 3 * self->min_column_width;
  g->x_summary = g->x_scroll + lessons_width;
  if (g->freeze_right)
    g->x_summary = MIN (g->x_summary, g->width - summary);
  g->body_x1 = MIN (g->x_summary, g->width);
}

static int
column_left (ZhGrid         *self,
             const Geometry *g,
             guint           column)
{
  if (column < self->n_ordinary)
    return g->x_scroll + self->column_x[column];
  return g->x_summary + self->column_x[column] - self->column_x[self->n_ordinary];
}

static int
column_width (ZhGrid *self,
              guint   column)
{
  return self->column_x[column + 1] - self->column_x[column];
}

/* The column among [first, last) whose span holds content offset @x, or -1. */
static int
column_at (ZhGrid *self,
           guint   first,
           guint   last,
           int     x)
{
  guint lo = first, hi = last;

  if (first >= last || x < self->column_x[first] || x >= self->column_x[last])
    return -1;
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (self->column_x[mid] <= x)
        lo = mid;
      else
        hi = mid;
    }
  return (int) lo;
}

/* ---- GtkScrollable -------------------------------------------------------------------------- */

static void
adjustment_value_changed_cb (GtkAdjustment *adjustment,
                             ZhGrid        *self)
{
  /* Scrolling moves nothing but the paint: no relayout. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_adjustment (ZhGrid         *self,
                GtkOrientation  orientation,
                GtkAdjustment  *adjustment)
{
  GtkAdjustment **slot = orientation == GTK_ORIENTATION_HORIZONTAL ? &self->hadjustment
                                                                    : &self->vadjustment;

  if (adjustment != NULL && adjustment == *slot)
    return;
  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);

  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_func (*slot, adjustment_value_changed_cb, self);
      g_object_unref (*slot);
    }
  *slot = g_object_ref_sink (adjustment);
  g_signal_connect (adjustment, "value-changed", G_CALLBACK (adjustment_value_changed_cb), self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  g_object_notify (G_OBJECT (self),
                   orientation == GTK_ORIENTATION_HORIZONTAL ? "hadjustment" : "vadjustment");
}

/* ---- cursor --------------------------------------------------------------------------------- */

static gboolean
has_cells (ZhGrid *self)
{
  return ensure_metrics (self);
}

static void
scroll_to_cursor (ZhGrid *self)
{
  Geometry g;
  int visible, v;

  if (!has_cells (self) || gtk_widget_get_width (GTK_WIDGET (self)) == 0)
    {
      self->scroll_pending = TRUE;
      return;
    }
  self->scroll_pending = FALSE;
  compute_geometry (self, &g);

  visible = g.height - self->header_height;
  v = g.vvalue;
  if ((int) self->cursor_row * self->row_height < v)
    v = (int) self->cursor_row * self->row_height;
  else if (((int) self->cursor_row + 1) * self->row_height > v + visible)
    v = ((int) self->cursor_row + 1) * self->row_height - visible;
  gtk_adjustment_set_value (self->vadjustment, v);

  if (self->cursor_column < self->n_ordinary || !g.freeze_right)
    {
      int x = self->column_x[self->cursor_column];
      int w = column_width (self, self->cursor_column);
      int h = g.hvalue;

      visible = g.width - self->name_width - (g.freeze_right ? summary_width (self) : 0);
      if (x < h)
        h = x;
      else if (x + w > h + visible)
        h = x + w - visible;
      gtk_adjustment_set_value (self->hadjustment, h);
    }
}

/**
 * zh_grid_set_cursor:
 * @row: the row; clamped to the model
 * @column: the column; clamped to the model
 *
 * Puts the cursor on a cell and scrolls the grid so that the cell is fully visible.
 */
void
zh_grid_set_cursor (ZhGrid *self,
                    guint   row,
                    guint   column)
{
  g_return_if_fail (ZH_IS_GRID (self));

  if (has_cells (self))
    {
      row = MIN (row, self->n_rows - 1);
      column = MIN (column, self->n_columns - 1);
    }
  else
    row = column = 0;

  g_object_freeze_notify (G_OBJECT (self));
  if (row != self->cursor_row)
    {
      self->cursor_row = row;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR_ROW]);
    }
  if (column != self->cursor_column)
    {
      self->cursor_column = column;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR_COLUMN]);
    }
  g_object_thaw_notify (G_OBJECT (self));

  update_cursor_description (self);
  scroll_to_cursor (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * zh_grid_get_cursor:
 * @row: (out) (optional): the cursor's row
 * @column: (out) (optional): the cursor's column
 *
 * Where the cursor is; FALSE (and zeros) when the model has no cells.
 */
gboolean
zh_grid_get_cursor (ZhGrid *self,
                    guint  *row,
                    guint  *column)
{
  g_return_val_if_fail (ZH_IS_GRID (self), FALSE);

  if (row != NULL)
    *row = self->cursor_row;
  if (column != NULL)
    *column = self->cursor_column;
  return has_cells (self);
}

static int
page_rows (ZhGrid *self)
{
  int visible = gtk_widget_get_height (GTK_WIDGET (self)) - self->header_height;

  return MAX (1, visible / MAX (1, self->row_height) - 1);
}

static int
page_columns (ZhGrid *self)
{
  int visible = gtk_widget_get_width (GTK_WIDGET (self)) - self->name_width - summary_width (self);

  return MAX (1, visible / MAX (1, self->min_column_width) - 1);
}

/**
 * zh_grid_move_cursor:
 * @step: GTK_MOVEMENT_VISUAL_POSITIONS (cells sideways), _LOGICAL_POSITIONS (sideways, wrapping
 *   to the next or previous row, as Tab does), _DISPLAY_LINES (rows), _PAGES (screenfuls of rows),
 *   _HORIZONTAL_PAGES (screenfuls of columns), _DISPLAY_LINE_ENDS (first or last column),
 *   _BUFFER_ENDS (first or last cell)
 * @count: how many steps; negative moves left or up
 *
 * Moves the cursor as a key would; FALSE if it could not move (at the edge, or no cells).
 */
gboolean
zh_grid_move_cursor (ZhGrid          *self,
                     GtkMovementStep  step,
                     int              count)
{
  gint64 row, column;

  g_return_val_if_fail (ZH_IS_GRID (self), FALSE);

  if (!has_cells (self) || count == 0)
    return FALSE;

  row = self->cursor_row;
  column = self->cursor_column;
  switch (step)
    {
    case GTK_MOVEMENT_LOGICAL_POSITIONS:
      {
        gint64 position = row * self->n_columns + column + count;

        if (position < 0 || position >= (gint64) self->n_rows * self->n_columns)
          return FALSE;
        row = position / self->n_columns;
        column = position % self->n_columns;
      }
      break;
    case GTK_MOVEMENT_VISUAL_POSITIONS:
      column += count;
      break;
    case GTK_MOVEMENT_DISPLAY_LINES:
      row += count;
      break;
    case GTK_MOVEMENT_PAGES:
      row += (gint64) count * page_rows (self);
      break;
    case GTK_MOVEMENT_HORIZONTAL_PAGES:
      column += (gint64) count * page_columns (self);
      break;
    case GTK_MOVEMENT_DISPLAY_LINE_ENDS:
      column = count < 0 ? 0 : self->n_columns - 1;
      break;
    case GTK_MOVEMENT_BUFFER_ENDS:
      row = count < 0 ? 0 : self->n_rows - 1;
      column = count < 0 ? 0 : self->n_columns - 1;
      break;
    case GTK_MOVEMENT_WORDS:
    case GTK_MOVEMENT_PARAGRAPHS:
    case GTK_MOVEMENT_PARAGRAPH_ENDS:
    default:
      return FALSE;
    }
  row = CLAMP (row, 0, (gint64) self->n_rows - 1);
  column = CLAMP (column, 0, (gint64) self->n_columns - 1);
  if (row == self->cursor_row && column == self->cursor_column)
    return FALSE;
  zh_grid_set_cursor (self, (guint) row, (guint) column);
  return TRUE;
}

/* ---- accessibility -------------------------------------------------------------------------- */

static const char *
state_words (ZhGridCellFlags flags)
{
  if (flags & ZH_GRID_CELL_REJECTED)
    return _("refused by the service");
  if (flags & ZH_GRID_CELL_CONFLICT)
    return _("changed here and on the service");
  if (flags & ZH_GRID_CELL_WAITING)
    return _("not sent yet");
  if (flags & ZH_GRID_CELL_DISABLED)
    return _("unavailable");
  return NULL;
}

/* «Иванова Анна, 14.11, 5, контрольная работа»: what a screen reader says for a cell. */
static char *
describe_cell (ZhGrid *self,
               guint   row,
               guint   column)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *tooltip = NULL;
  ZhGridRow row_info;
  ZhGridColumn column_info;
  ZhGridCell cell;
  const char *state;

  zh_grid_model_get_row (self->model, row, &row_info);
  if (row_info.title != NULL)
    g_ptr_array_add (parts, g_strdup (row_info.title));
  zh_grid_model_get_column (self->model, column, &column_info);
  if (column_info.label != NULL || column_info.title != NULL)
    g_ptr_array_add (parts, g_strdup (column_info.label != NULL ? column_info.label
                                                                : column_info.title));
  zh_grid_model_get_cell (self->model, row, column, &cell);
  g_ptr_array_add (parts, g_strdup (cell.text != NULL && cell.text[0] != '\0'
                                    ? cell.text
                                    : C_("grid cell", "empty")));
  state = state_words (cell.flags);
  tooltip = zh_grid_model_get_cell_tooltip (self->model, row, column);
  if (tooltip != NULL && tooltip[0] != '\0')
    g_ptr_array_add (parts, g_steal_pointer (&tooltip));
  if (state != NULL)
    g_ptr_array_add (parts, g_strdup (state));
  g_ptr_array_add (parts, NULL);

  /* TRANSLATORS: the separator between the parts of a cell's spoken description */
  return g_strjoinv (_(", "), (char **) parts->pdata);
}

/* GTK 4.8 can neither make drawn cells accessible objects (4.10) nor announce (4.14), so the
 * grid's own description follows the cursor; screen readers read it when it changes. */
static void
update_cursor_description (ZhGrid *self)
{
  g_autofree char *description = NULL;

  if (has_cells (self))
    description = describe_cell (self, self->cursor_row, self->cursor_column);
  else
    description = g_strdup ("");

  if (g_strcmp0 (description, self->cursor_description) == 0)
    return;
  g_free (self->cursor_description);
  self->cursor_description = g_steal_pointer (&description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->cursor_description,
                                  -1);
}

/* ---- model ---------------------------------------------------------------------------------- */

static void
model_cells_changed_cb (ZhGridModel *model,
                        guint        row,
                        guint        column,
                        guint        n_rows,
                        guint        n_columns,
                        ZhGrid      *self)
{
  guint row_end, column_end;
  gboolean grew = FALSE;
  g_autofree int *widths = NULL;

  /* Metrics not made yet measure every cell anyway. */
  if (!self->metrics_valid || !has_cells (self))
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      update_cursor_description (self);
      return;
    }

  row_end = MIN ((guint64) row + n_rows, self->n_rows);
  column_end = MIN ((guint64) column + n_columns, self->n_columns);
  widths = g_new (int, self->n_columns + 1);
  for (guint c = 0; c < self->n_columns; c++)
    widths[c] = column_width (self, c);
  /* A wider text widens its column; columns never shrink until the structure changes, so the
   * page does not jump while marks are typed. */
  for (guint c = column; c < column_end; c++)
    grew |= fit_column (self, c, row, row_end, &widths[c]);

  if (grew)
    {
      compute_column_x (self, widths);
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  else
    gtk_widget_queue_draw (GTK_WIDGET (self));

  if (self->cursor_row >= row && self->cursor_row < row_end &&
      self->cursor_column >= column && self->cursor_column < column_end)
    update_cursor_description (self);
}

static void
model_structure_changed_cb (ZhGridModel *model,
                            ZhGrid      *self)
{
  invalidate_metrics (self);
  /* Clamps the cursor to the new size and re-reads its description. */
  zh_grid_set_cursor (self, self->cursor_row, self->cursor_column);
}

/**
 * zh_grid_set_model:
 * @model: (nullable): what to show
 *
 * Shows @model; the cursor goes to the first cell and the view to the top left.
 */
void
zh_grid_set_model (ZhGrid      *self,
                   ZhGridModel *model)
{
  g_return_if_fail (ZH_IS_GRID (self));
  g_return_if_fail (model == NULL || ZH_IS_GRID_MODEL (model));

  if (model == self->model)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  if (model != NULL)
    {
      g_signal_connect_object (model, "cells-changed",
                               G_CALLBACK (model_cells_changed_cb), self, 0);
      g_signal_connect_object (model, "structure-changed",
                               G_CALLBACK (model_structure_changed_cb), self, 0);
    }

  invalidate_metrics (self);
  gtk_adjustment_set_value (self->hadjustment, 0);
  gtk_adjustment_set_value (self->vadjustment, 0);
  self->cursor_row = self->cursor_column = G_MAXUINT;
  zh_grid_set_cursor (self, 0, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

/* zh_grid_get_model: the model shown, or NULL (transfer none). */
ZhGridModel *
zh_grid_get_model (ZhGrid *self)
{
  g_return_val_if_fail (ZH_IS_GRID (self), NULL);

  return self->model;
}

/* ---- size ----------------------------------------------------------------------------------- */

static void
zh_grid_measure (GtkWidget      *widget,
                 GtkOrientation  orientation,
                 int             for_size,
                 int            *minimum,
                 int            *natural,
                 int            *minimum_baseline,
                 int            *natural_baseline)
{
  ZhGrid *self = ZH_GRID (widget);

  ensure_metrics (self);
  /* Natural: the whole content; minimum: the frozen parts and a little of the rest. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *natural = content_width (self);
      *minimum = MIN (*natural, self->name_width + 3 * self->min_column_width);
    }
  else
    {
      *natural = content_height (self);
      *minimum = MIN (*natural, self->header_height + 3 * self->row_height);
    }
}

static void
zh_grid_size_allocate (GtkWidget *widget,
                       int        width,
                       int        height,
                       int        baseline)
{
  ZhGrid *self = ZH_GRID (widget);
  double hvalue = gtk_adjustment_get_value (self->hadjustment);
  double vvalue = gtk_adjustment_get_value (self->vadjustment);
  int content_w, content_h;

  ensure_metrics (self);
  content_w = MAX (content_width (self), width);
  content_h = MAX (content_height (self), height);

  /* The range is exactly the overflow: upper − page_size = content − visible. */
  g_object_freeze_notify (G_OBJECT (self->hadjustment));
  g_object_freeze_notify (G_OBJECT (self->vadjustment));
  gtk_adjustment_configure (self->hadjustment,
                            CLAMP (hvalue, 0, content_w - width),
                            0, content_w,
                            MAX (1, self->min_column_width), width * 0.9, width);
  gtk_adjustment_configure (self->vadjustment,
                            CLAMP (vvalue, 0, content_h - height),
                            0, content_h,
                            MAX (1, self->row_height),
                            MAX (1, height - self->header_height) * 0.9, height);
  g_object_thaw_notify (G_OBJECT (self->hadjustment));
  g_object_thaw_notify (G_OBJECT (self->vadjustment));

  if (self->scroll_pending)
    scroll_to_cursor (self);
}

/**
 * zh_grid_get_visible_range:
 * @row_begin: (out) (optional): the first row seen whole
 * @row_end: (out) (optional): one past the last row seen whole
 * @column_begin: (out) (optional): the first ordinary column seen whole
 * @column_end: (out) (optional): one past the last ordinary column seen whole
 *
 * Which rows and ordinary (scrolling) columns are fully visible now; summary columns pinned at
 * the right are not counted. FALSE when nothing is shown.
 */
gboolean
zh_grid_get_visible_range (ZhGrid *self,
                           guint  *row_begin,
                           guint  *row_end,
                           guint  *column_begin,
                           guint  *column_end)
{
  Geometry g;
  guint rb = 0, re = 0, cb = 0, ce = 0;
  gboolean shown;

  g_return_val_if_fail (ZH_IS_GRID (self), FALSE);

  shown = has_cells (self) && gtk_widget_get_width (GTK_WIDGET (self)) > 0;
  if (shown)
    {
      compute_geometry (self, &g);
      rb = (guint) ((g.vvalue + self->row_height - 1) / self->row_height);
      re = (guint) MAX (0, (g.height - g.y_rows) / self->row_height);
      re = MIN (re, self->n_rows);
      for (cb = 0; cb < self->n_ordinary && column_left (self, &g, cb) < self->name_width; cb++)
        ;
      for (ce = cb; ce < self->n_ordinary &&
                    column_left (self, &g, ce) + column_width (self, ce) <= g.body_x1; ce++)
        ;
      rb = MIN (rb, re);
    }
  if (row_begin != NULL)
    *row_begin = rb;
  if (row_end != NULL)
    *row_end = re;
  if (column_begin != NULL)
    *column_begin = cb;
  if (column_end != NULL)
    *column_end = ce;
  return shown;
}

/**
 * zh_grid_get_cell_area:
 * @row: a row, or -1 for the header row
 * @column: a column, or -1 for the row headers (names)
 * @area: (out): the cell's rectangle in widget coordinates, where it is drawn now
 *
 * Where a cell, a column header (@row -1), a row header (@column -1) or the corner (both -1) is
 * drawn now; it may lie outside the visible part. FALSE for a cell the model does not have.
 */
gboolean
zh_grid_get_cell_area (ZhGrid       *self,
                       int           row,
                       int           column,
                       GdkRectangle *area)
{
  Geometry g;

  g_return_val_if_fail (ZH_IS_GRID (self), FALSE);
  g_return_val_if_fail (area != NULL, FALSE);

  *area = (GdkRectangle) { 0 };
  if (!has_cells (self) || row < -1 || column < -1 ||
      row >= (int) self->n_rows || column >= (int) self->n_columns)
    return FALSE;

  compute_geometry (self, &g);
  if (column < 0)
    {
      area->x = 0;
      area->width = self->name_width;
    }
  else
    {
      area->x = column_left (self, &g, column);
      area->width = column_width (self, column);
    }
  if (row < 0)
    {
      area->y = 0;
      area->height = self->header_height;
    }
  else
    {
      area->y = g.y_rows + row * self->row_height;
      area->height = self->row_height;
    }
  return TRUE;
}

/* ---- drawing -------------------------------------------------------------------------------- */

static GdkRGBA
with_alpha (const GdkRGBA *color,
            float          alpha)
{
  return (GdkRGBA) { color->red, color->green, color->blue, alpha };
}

static void
lookup_color (GtkStyleContext *context,
              const char      *name,
              const char      *fallback,
              GdkRGBA         *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
ensure_colors (ZhGrid *self)
{
  GtkStyleContext *context;
  GridColors *c = &self->colors;

  if (self->colors_valid)
    return;
  self->colors_valid = TRUE;

  /* gtk_style_context_* is the GTK 4.8 way to read CSS colours (deprecated only in 4.10). */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (GTK_WIDGET (self));
  gtk_style_context_get_color (context, &c->fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  lookup_color (context, "accent_color", "#1c71d8", &c->accent);
  lookup_color (context, "error_color", "#c01c28", &c->error);
  lookup_color (context, "orange_4", "#e66100", &c->warning);

  c->dim = with_alpha (&c->fg, 0.55f);
  c->line = with_alpha (&c->fg, 0.10f);
  c->line_strong = with_alpha (&c->fg, 0.24f);
  c->frame = with_alpha (&c->fg, 0.32f);
  c->header_bg = with_alpha (&c->fg, 0.035f);
  c->disabled_tint = with_alpha (&c->fg, 0.07f);
  c->accent_tint = with_alpha (&c->accent, 0.14f);
  c->cursor_tint = with_alpha (&c->accent, 0.06f);
  c->emphasis_tint = with_alpha (&c->accent, 0.07f);
  c->error_tint = with_alpha (&c->error, 0.16f);
  c->warning_tint = with_alpha (&c->warning, 0.20f);
}

static void
draw_rect (ZhGrid        *self,
           GtkSnapshot   *snapshot,
           const GdkRGBA *color,
           int            x,
           int            y,
           int            width,
           int            height)
{
  if (width <= 0 || height <= 0)
    return;
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, width, height));
  self->stats.n_nodes++;
}

static void
draw_text (ZhGrid        *self,
           GtkSnapshot   *snapshot,
           GridText      *text,
           const GdkRGBA *color,
           int            x,
           int            y)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, text->layout, color);
  gtk_snapshot_restore (snapshot);
  self->stats.n_nodes++;
}

/* A small filled dot in a cell's top right corner: the cell's sync state at a glance. */
static void
draw_dot (ZhGrid        *self,
          GtkSnapshot   *snapshot,
          const GdkRGBA *color,
          int            x,
          int            y)
{
  GskRoundedRect dot;
  const float widths[4] = { 2.5f, 2.5f, 2.5f, 2.5f };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT (x, y, 5, 5), 2.5f);
  gtk_snapshot_append_border (snapshot, &dot, widths, colors);
  self->stats.n_nodes++;
}

static void
push_clip (GtkSnapshot *snapshot,
           int          x,
           int          y,
           int          width,
           int          height)
{
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (x, y, MAX (0, width), MAX (0, height)));
}

/* Cells of rows [r0, r1) and columns [c0, c1), clipped by the caller. */
static void
draw_cells (ZhGrid         *self,
            GtkSnapshot    *snapshot,
            const Geometry *g,
            guint           r0,
            guint           r1,
            guint           c0,
            guint           c1)
{
  const GridColors *colors = &self->colors;
  int y_top = MAX (g->y_rows + (int) r0 * self->row_height, self->header_height);
  int y_bottom = g->y_rows + (int) r1 * self->row_height;
  int x_left, x_right;

  if (c0 >= c1 || r0 >= r1)
    return;
  x_left = column_left (self, g, c0);
  x_right = column_left (self, g, c1 - 1) + column_width (self, c1 - 1);

  /* Tinted columns (tests) and the cursor's row first, texts over them. */
  for (guint c = c0; c < c1; c++)
    {
      ZhGridColumn column;

      zh_grid_model_get_column (self->model, c, &column);
      if (column.emphasis)
        draw_rect (self, snapshot, &colors->emphasis_tint,
                   column_left (self, g, c), y_top, column_width (self, c), y_bottom - y_top);
    }
  if (self->cursor_row >= r0 && self->cursor_row < r1)
    draw_rect (self, snapshot, &colors->cursor_tint, x_left,
               g->y_rows + (int) self->cursor_row * self->row_height,
               x_right - x_left, self->row_height);

  for (guint r = r0; r < r1; r++)
    {
      int y = g->y_rows + (int) r * self->row_height;
      ZhGridRow row;
      gboolean dimmed;

      zh_grid_model_get_row (self->model, r, &row);
      dimmed = row.dimmed;
      for (guint c = c0; c < c1; c++)
        {
          int x = column_left (self, g, c);
          int w = column_width (self, c);
          ZhGridCell cell;

          zh_grid_model_get_cell (self->model, r, c, &cell);
          if (cell.flags & ZH_GRID_CELL_DISABLED)
            draw_rect (self, snapshot, &colors->disabled_tint, x, y, w, self->row_height);
          if (cell.flags & ZH_GRID_CELL_REJECTED)
            draw_rect (self, snapshot, &colors->error_tint, x, y, w, self->row_height);
          else if (cell.flags & ZH_GRID_CELL_CONFLICT)
            draw_rect (self, snapshot, &colors->warning_tint, x, y, w, self->row_height);

          if (cell.text != NULL && cell.text[0] != '\0')
            {
              GridText *t = text_get (self, cell_role (cell.flags), cell.text);
              gboolean faint = dimmed || (cell.flags & ZH_GRID_CELL_DISABLED);

              draw_text (self, snapshot, t, faint ? &colors->dim : &colors->fg,
                         x + (w - t->width) / 2, y + (self->row_height - t->height) / 2);
            }

          if (cell.flags & ZH_GRID_CELL_REJECTED)
            draw_dot (self, snapshot, &colors->error, x + w - 7, y + 2);
          else if (cell.flags & ZH_GRID_CELL_CONFLICT)
            draw_dot (self, snapshot, &colors->warning, x + w - 7, y + 2);
          else if (cell.flags & ZH_GRID_CELL_WAITING)
            draw_dot (self, snapshot, &colors->accent, x + w - 7, y + 2);
        }
    }

  /* Lines: one node per line, not a border per cell. */
  for (guint r = r0; r < r1; r++)
    {
      const GdkRGBA *color = (r + 1) % STRONG_ROW_LINE == 0 ? &colors->line_strong : &colors->line;

      draw_rect (self, snapshot, color, x_left, g->y_rows + (int) (r + 1) * self->row_height - 1,
                 x_right - x_left, 1);
    }
  for (guint c = c0; c < c1; c++)
    {
      gboolean band_edge = c + 1 < self->n_ordinary && self->band_start[c + 1] == c + 1 &&
                           self->band_shown[c + 1];

      draw_rect (self, snapshot, band_edge ? &colors->line_strong : &colors->line,
                 column_left (self, g, c) + column_width (self, c) - 1, y_top, 1, y_bottom - y_top);
    }
}

/* Column headers of columns [c0, c1): band captions, titles, markers. */
static void
draw_column_headers (ZhGrid         *self,
                     GtkSnapshot    *snapshot,
                     const Geometry *g,
                     guint           c0,
                     guint           c1,
                     int             clip_x0)
{
  const GridColors *colors = &self->colors;
  int title_y = self->band_height + 3;

  if (c0 >= c1)
    return;

  for (guint c = c0; c < c1; c++)
    {
      int x = column_left (self, g, c);
      int w = column_width (self, c);
      ZhGridColumn column;
      gboolean band_edge;

      zh_grid_model_get_column (self->model, c, &column);
      if (column.emphasis)
        draw_rect (self, snapshot, &colors->emphasis_tint, x, self->band_height, w,
                   self->header_height - self->band_height);
      if (c == self->cursor_column)
        draw_rect (self, snapshot, &colors->accent_tint, x, self->band_height, w,
                   self->header_height - self->band_height);

      /* A band caption sits at the left of its band's visible part, so it stays readable. */
      if (self->band_height > 0 && self->band_shown[c] &&
          (c == self->band_start[c] || c == c0))
        {
          guint end = c + 1;
          int bx0 = MAX (x, clip_x0), bx1;
          GridText *t = text_get (self, ROLE_HEADER, column.band);

          while (end < self->n_ordinary && self->band_start[end] == self->band_start[c])
            end++;
          bx1 = column_left (self, g, end - 1) + column_width (self, end - 1);
          /* A band scrolled almost out of view drops its caption rather than show a stub. */
          if (bx1 - bx0 >= t->width + 2 * HEADER_PAD_X || c == self->band_start[c])
            {
              push_clip (snapshot, bx0, 0, bx1 - bx0, self->band_height);
              draw_text (self, snapshot, t, &colors->dim, bx0 + HEADER_PAD_X, 1);
              gtk_snapshot_pop (snapshot);
            }
        }

      if (column.title != NULL && column.title[0] != '\0')
        {
          GridText *t = text_get (self, ROLE_HEADER, column.title);

          draw_text (self, snapshot, t, &colors->fg, x + (w - t->width) / 2, title_y);
        }
      if (column.marker != NULL && column.marker[0] != '\0')
        {
          GridText *t = text_get (self, ROLE_HEADER_BOLD, column.marker);

          draw_text (self, snapshot, t, column.emphasis ? &colors->accent : &colors->dim,
                     x + (w - t->width) / 2, title_y + self->title_height);
        }

      band_edge = c + 1 < self->n_ordinary && self->band_start[c + 1] == c + 1 &&
                  self->band_shown[c + 1];
      if (band_edge)
        draw_rect (self, snapshot, &colors->line_strong, x + w - 1, 0, 1, self->header_height);
      else
        draw_rect (self, snapshot, &colors->line, x + w - 1, self->band_height, 1,
                   self->header_height - self->band_height);
    }
  if (self->band_height > 0)
    {
      int x0 = column_left (self, g, c0);
      int x1 = column_left (self, g, c1 - 1) + column_width (self, c1 - 1);

      draw_rect (self, snapshot, &colors->line, x0, self->band_height - 1, x1 - x0, 1);
    }
}

static void
draw_row_headers (ZhGrid         *self,
                  GtkSnapshot    *snapshot,
                  const Geometry *g,
                  guint           r0,
                  guint           r1)
{
  const GridColors *colors = &self->colors;

  draw_rect (self, snapshot, &colors->header_bg, 0, self->header_height, self->name_width,
             MIN (g->height, g->y_rows + (int) self->n_rows * self->row_height) -
             self->header_height);
  for (guint r = r0; r < r1; r++)
    {
      int y = g->y_rows + (int) r * self->row_height;
      ZhGridRow row;

      zh_grid_model_get_row (self->model, r, &row);
      if (r == self->cursor_row)
        draw_rect (self, snapshot, &colors->accent_tint, 0, y, self->name_width, self->row_height);
      if (row.number > 0)
        {
          char digits[16];
          GridText *t;

          g_snprintf (digits, sizeof digits, "%u", row.number);
          t = text_get (self, ROLE_NUMBER, digits);
          draw_text (self, snapshot, t, &colors->dim,
                     NAME_PAD_X + self->number_width - NAME_PAD_X - t->width,
                     y + (self->row_height - t->height) / 2);
        }
      if (row.title != NULL && row.title[0] != '\0')
        {
          GridText *t = text_get (self, ROLE_ROW, row.title);

          draw_text (self, snapshot, t, row.dimmed ? &colors->dim : &colors->fg,
                     self->number_width + NAME_PAD_X, y + (self->row_height - t->height) / 2);
        }
      draw_rect (self, snapshot,
                 (r + 1) % STRONG_ROW_LINE == 0 ? &colors->line_strong : &colors->line,
                 0, y + self->row_height - 1, self->name_width, 1);
    }
}

static void
draw_corner (ZhGrid         *self,
             GtkSnapshot    *snapshot,
             const Geometry *g)
{
  const char *title = zh_grid_model_get_row_header_title (self->model);

  draw_rect (self, snapshot, &self->colors.header_bg, 0, 0, self->name_width, self->header_height);
  if (title != NULL && title[0] != '\0')
    {
      GridText *t = text_get (self, ROLE_HEADER, title);

      draw_text (self, snapshot, t, &self->colors.dim, self->number_width + NAME_PAD_X,
                 self->header_height - t->height - 4);
    }
}

/* The cursor's ring, drawn inside whichever region holds it so that region's clip applies. */
static void
draw_cursor (ZhGrid         *self,
             GtkSnapshot    *snapshot,
             const Geometry *g)
{
  GskRoundedRect ring;
  gboolean focused = gtk_widget_has_focus (GTK_WIDGET (self));
  float width = focused ? 2.f : 1.f;
  const float widths[4] = { width, width, width, width };
  const GdkRGBA color = focused ? self->colors.accent : self->colors.frame;
  const GdkRGBA colors[4] = { color, color, color, color };
  int x = column_left (self, g, self->cursor_column);
  int y = g->y_rows + (int) self->cursor_row * self->row_height;
  int w = column_width (self, self->cursor_column);

  gsk_rounded_rect_init_from_rect (&ring,
                                   &GRAPHENE_RECT_INIT (x - 1, y - 1, w + 1, self->row_height + 1),
                                   1.f);
  gtk_snapshot_append_border (snapshot, &ring, widths, colors);
  self->stats.n_nodes++;
}

static void
zh_grid_snapshot (GtkWidget   *widget,
                  GtkSnapshot *snapshot)
{
  ZhGrid *self = ZH_GRID (widget);
  gint64 start = g_get_monotonic_time ();
  const GridColors *colors;
  Geometry g;
  guint r0, r1, c0, c1;
  int first, last;
  guint n_summary;

  if (!ensure_metrics (self))
    return;
  ensure_colors (self);
  colors = &self->colors;
  compute_geometry (self, &g);
  self->stats.n_nodes = 0;
  n_summary = self->n_columns - self->n_ordinary;

  /* Rows and ordinary columns touching the visible body. */
  r0 = (guint) MAX (0, g.vvalue / self->row_height);
  r1 = (guint) MIN ((int) self->n_rows,
                    (g.height - g.y_rows + self->row_height - 1) / self->row_height);
  first = column_at (self, 0, self->n_ordinary, MAX (0, self->name_width - g.x_scroll));
  last = column_at (self, 0, self->n_ordinary, g.body_x1 - 1 - g.x_scroll);
  c0 = first >= 0 ? (guint) first : self->n_ordinary;
  c1 = last >= 0 ? (guint) last + 1 : self->n_ordinary;
  if (first >= 0 && last < 0)
    c1 = self->n_ordinary;
  if (g.body_x1 <= self->name_width)
    c0 = c1 = self->n_ordinary;

  /* 1. The body: ordinary columns, clipped between the frozen parts. */
  push_clip (snapshot, self->name_width, self->header_height,
             g.body_x1 - self->name_width, g.height - self->header_height);
  draw_cells (self, snapshot, &g, r0, r1, c0, c1);
  if (self->cursor_column < self->n_ordinary)
    draw_cursor (self, snapshot, &g);
  gtk_snapshot_pop (snapshot);

  /* 2. The summary columns at the right. */
  if (n_summary > 0 && g.x_summary < g.width)
    {
      push_clip (snapshot, g.x_summary, self->header_height,
                 g.width - g.x_summary, g.height - self->header_height);
      draw_cells (self, snapshot, &g, r0, r1, self->n_ordinary, self->n_columns);
      if (self->cursor_column >= self->n_ordinary)
        draw_cursor (self, snapshot, &g);
      gtk_snapshot_pop (snapshot);
    }

  /* 3. The sticky header row, over the body and the summary columns. */
  draw_rect (self, snapshot, &colors->header_bg, self->name_width, 0,
             g.width - self->name_width, self->header_height);
  push_clip (snapshot, self->name_width, 0, g.body_x1 - self->name_width, self->header_height);
  draw_column_headers (self, snapshot, &g, c0, c1, self->name_width);
  gtk_snapshot_pop (snapshot);
  if (n_summary > 0 && g.x_summary < g.width)
    {
      push_clip (snapshot, g.x_summary, 0, g.width - g.x_summary, self->header_height);
      draw_column_headers (self, snapshot, &g, self->n_ordinary, self->n_columns, g.x_summary);
      gtk_snapshot_pop (snapshot);
    }

  /* 4. The frozen name column. */
  push_clip (snapshot, 0, self->header_height, self->name_width, g.height - self->header_height);
  draw_row_headers (self, snapshot, &g, r0, r1);
  gtk_snapshot_pop (snapshot);

  /* 5. The corner, then the frame lines between the frozen parts and the rest. */
  push_clip (snapshot, 0, 0, self->name_width, self->header_height);
  draw_corner (self, snapshot, &g);
  gtk_snapshot_pop (snapshot);

  draw_rect (self, snapshot, &colors->frame, 0, self->header_height - 1,
             MIN (g.width, g.x_summary + summary_width (self)), 1);
  draw_rect (self, snapshot, &colors->frame, self->name_width - 1, 0, 1,
             MIN (g.height, content_height (self) - g.vvalue));
  if (n_summary > 0 && g.x_summary < g.width)
    draw_rect (self, snapshot, &colors->frame, g.x_summary - 1, 0, 1,
               MIN (g.height, content_height (self) - g.vvalue));

  self->stats.n_snapshots++;
  self->stats.snapshot_usec = g_get_monotonic_time () - start;
}

/* ---- input ---------------------------------------------------------------------------------- */

/* Which cell is at (@x, @y): row -1 is the header row, column -1 the row headers. */
static gboolean
hit_test (ZhGrid *self,
          double  x,
          double  y,
          int    *row,
          int    *column)
{
  Geometry g;

  if (!has_cells (self))
    return FALSE;
  compute_geometry (self, &g);

  if (y < self->header_height)
    *row = -1;
  else if (y >= g.y_rows && y < g.y_rows + (int) self->n_rows * self->row_height)
    *row = (int) ((y - g.y_rows) / self->row_height);
  else
    return FALSE;

  if (x < self->name_width)
    *column = -1;
  else if (x < g.body_x1)
    *column = column_at (self, 0, self->n_ordinary, (int) x - g.x_scroll);
  else
    *column = column_at (self, self->n_ordinary, self->n_columns,
                         (int) x - g.x_summary + self->column_x[self->n_ordinary]);
  return *column != -1 || x < self->name_width;
}

static void
click_pressed_cb (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  ZhGrid          *self)
{
  int row, column;

  if (!hit_test (self, x, y, &row, &column))
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  zh_grid_set_cursor (self,
                      row >= 0 ? (guint) row : self->cursor_row,
                      column >= 0 ? (guint) column : self->cursor_column);
  if (n_press == 2 && row >= 0 && column >= 0)
    g_signal_emit (self, signals[CELL_ACTIVATE], 0, self->cursor_row, self->cursor_column);
}

/**
 * _zh_grid_key_pressed:
 * @keyval: the key
 * @state: the modifiers held
 *
 * Turns a typed character (a digit, «н», «б», a Latin letter…) into ZhGrid::cell-input; keys
 * with Control or Alt and keys that are not printable are left to others.
 */
gboolean
_zh_grid_key_pressed (ZhGrid          *self,
                      guint            keyval,
                      GdkModifierType  state)
{
  gunichar ch;
  char text[8];
  int len;

  g_return_val_if_fail (ZH_IS_GRID (self), FALSE);

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK | GDK_META_MASK))
    return FALSE;
  /* Keypad digits and Cyrillic keysyms map to their characters here. */
  ch = gdk_keyval_to_unicode (keyval);
  if (ch == 0 || !g_unichar_isgraph (ch) || !has_cells (self))
    return FALSE;

  len = g_unichar_to_utf8 (ch, text);
  text[len] = '\0';
  g_signal_emit (self, signals[CELL_INPUT], 0, self->cursor_row, self->cursor_column, text);
  return TRUE;
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                ZhGrid                *self)
{
  return _zh_grid_key_pressed (self, keyval, state);
}

static void
move_cursor_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  int step, count;

  g_variant_get (parameter, "(ii)", &step, &count);
  zh_grid_move_cursor (ZH_GRID (widget), (GtkMovementStep) step, count);
}

static void
activate_cell_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ZhGrid *self = ZH_GRID (widget);

  if (has_cells (self))
    g_signal_emit (self, signals[CELL_ACTIVATE], 0, self->cursor_row, self->cursor_column);
}

static void
delete_cell_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ZhGrid *self = ZH_GRID (widget);

  if (has_cells (self))
    g_signal_emit (self, signals[CELL_DELETE], 0, self->cursor_row, self->cursor_column);
}

/* Tab walks the cells row by row; past the last cell it lets focus leave the grid, so keyboard
 * users are never trapped (Ctrl+Tab leaves at once, through GtkWindow's binding). */
static gboolean
tab_binding (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  int count = g_variant_get_int32 (args);

  return zh_grid_move_cursor (ZH_GRID (widget), GTK_MOVEMENT_LOGICAL_POSITIONS, count);
}

static gboolean
zh_grid_query_tooltip (GtkWidget  *widget,
                       int         x,
                       int         y,
                       gboolean    keyboard_mode,
                       GtkTooltip *tooltip)
{
  ZhGrid *self = ZH_GRID (widget);
  g_autofree char *text = NULL;
  GdkRectangle area;
  int row, column;

  if (keyboard_mode)
    {
      if (!has_cells (self))
        return FALSE;
      row = (int) self->cursor_row;
      column = (int) self->cursor_column;
    }
  else if (!hit_test (self, x, y, &row, &column))
    return FALSE;

  if (row < 0 && column >= 0)
    {
      ZhGridColumn info;

      zh_grid_model_get_column (self->model, column, &info);
      text = g_strdup (info.label != NULL ? info.label : info.title);
    }
  else if (row >= 0 && column < 0)
    {
      ZhGridRow info;

      zh_grid_model_get_row (self->model, row, &info);
      text = g_strdup (info.title);
    }
  else if (row >= 0 && column >= 0)
    {
      g_autofree char *details = zh_grid_model_get_cell_tooltip (self->model, row, column);
      ZhGridCell cell;
      const char *state;

      zh_grid_model_get_cell (self->model, row, column, &cell);
      state = state_words (cell.flags);
      if (details != NULL && state != NULL)
        text = g_strdup_printf ("%s\n%s", details, state);
      else
        text = g_strdup (details != NULL ? details : state);
    }

  if (text == NULL || text[0] == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  if (zh_grid_get_cell_area (self, row, column, &area))
    gtk_tooltip_set_tip_area (tooltip, &area);
  return TRUE;
}

/* ---- style ---------------------------------------------------------------------------------- */

static void
check_font (ZhGrid *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));

  if (context != self->metrics_context ||
      pango_context_get_serial (context) != self->metrics_serial)
    invalidate_metrics (self);
}

static void
zh_grid_css_changed (GtkWidget         *widget,
                     GtkCssStyleChange *change)
{
  ZhGrid *self = ZH_GRID (widget);

  GTK_WIDGET_CLASS (zh_grid_parent_class)->css_changed (widget, change);

  self->colors_valid = FALSE;
  check_font (self);
  gtk_widget_queue_draw (widget);
}

static void
zh_grid_system_setting_changed (GtkWidget        *widget,
                                GtkSystemSetting  setting)
{
  ZhGrid *self = ZH_GRID (widget);

  GTK_WIDGET_CLASS (zh_grid_parent_class)->system_setting_changed (widget, setting);

  if (setting == GTK_SYSTEM_SETTING_DPI || setting == GTK_SYSTEM_SETTING_FONT_NAME ||
      setting == GTK_SYSTEM_SETTING_FONT_CONFIG)
    {
      drop_texts (self);
      invalidate_metrics (self);
    }
}

static void
scale_factor_changed_cb (ZhGrid     *self,
                         GParamSpec *pspec,
                         gpointer    user_data)
{
  drop_texts (self);
  invalidate_metrics (self);
}

static void
zh_grid_state_flags_changed (GtkWidget     *widget,
                             GtkStateFlags  previous)
{
  GTK_WIDGET_CLASS (zh_grid_parent_class)->state_flags_changed (widget, previous);

  /* The cursor ring is bolder while the grid has the focus. */
  if ((previous ^ gtk_widget_get_state_flags (widget)) & GTK_STATE_FLAG_FOCUSED)
    gtk_widget_queue_draw (widget);
}

/* ---- GObject -------------------------------------------------------------------------------- */

static void
zh_grid_dispose (GObject *object)
{
  ZhGrid *self = ZH_GRID (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  if (self->hadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->hadjustment, adjustment_value_changed_cb, self);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->vadjustment, adjustment_value_changed_cb, self);
  g_clear_object (&self->hadjustment);
  g_clear_object (&self->vadjustment);

  G_OBJECT_CLASS (zh_grid_parent_class)->dispose (object);
}

static void
zh_grid_finalize (GObject *object)
{
  ZhGrid *self = ZH_GRID (object);

  drop_texts (self);
  for (guint i = 0; i < N_ROLES; i++)
    g_hash_table_unref (self->texts[i]);
  g_free (self->column_x);
  g_free (self->band_start);
  g_free (self->band_shown);
  g_free (self->cursor_description);

  G_OBJECT_CLASS (zh_grid_parent_class)->finalize (object);
}

static void
zh_grid_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  ZhGrid *self = ZH_GRID (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_CURSOR_ROW:
      g_value_set_uint (value, self->cursor_row);
      break;
    case PROP_CURSOR_COLUMN:
      g_value_set_uint (value, self->cursor_column);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadjustment);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadjustment);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zh_grid_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  ZhGrid *self = ZH_GRID (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      zh_grid_set_model (self, g_value_get_object (value));
      break;
    case PROP_CURSOR_ROW:
      zh_grid_set_cursor (self, g_value_get_uint (value), self->cursor_column);
      break;
    case PROP_CURSOR_COLUMN:
      zh_grid_set_cursor (self, self->cursor_row, g_value_get_uint (value));
      break;
    case PROP_HADJUSTMENT:
      set_adjustment (self, GTK_ORIENTATION_HORIZONTAL, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, GTK_ORIENTATION_VERTICAL, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      if (self->hscroll_policy != (guint) g_value_get_enum (value))
        {
          self->hscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_VSCROLL_POLICY:
      if (self->vscroll_policy != (guint) g_value_get_enum (value))
        {
          self->vscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
add_move_binding (GtkWidgetClass  *widget_class,
                  guint            keyval,
                  GdkModifierType  modifiers,
                  GtkMovementStep  step,
                  int              count)
{
  gtk_widget_class_add_binding_action (widget_class, keyval, modifiers,
                                       "grid.move-cursor", "(ii)", step, count);
}

static void
zh_grid_class_init (ZhGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zh_grid_dispose;
  object_class->finalize = zh_grid_finalize;
  object_class->get_property = zh_grid_get_property;
  object_class->set_property = zh_grid_set_property;

  widget_class->measure = zh_grid_measure;
  widget_class->size_allocate = zh_grid_size_allocate;
  widget_class->snapshot = zh_grid_snapshot;
  widget_class->query_tooltip = zh_grid_query_tooltip;
  widget_class->css_changed = zh_grid_css_changed;
  widget_class->system_setting_changed = zh_grid_system_setting_changed;
  widget_class->state_flags_changed = zh_grid_state_flags_changed;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, ZH_TYPE_GRID_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURSOR_ROW] =
    g_param_spec_uint ("cursor-row", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURSOR_COLUMN] =
    g_param_spec_uint ("cursor-column", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  /**
   * ZhGrid::cell-input:
   * @row: the cursor's row
   * @column: the cursor's column
   * @text: the character typed, as UTF-8 («5», «н»)
   *
   * A printable character was typed on the cursor cell.
   */
  signals[CELL_INPUT] =
    g_signal_new ("cell-input", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * ZhGrid::cell-delete:
   * @row: the cursor's row
   * @column: the cursor's column
   *
   * Backspace or Delete on the cursor cell.
   */
  signals[CELL_DELETE] =
    g_signal_new ("cell-delete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * ZhGrid::cell-activate:
   * @row: the cell's row
   * @column: the cell's column
   *
   * A double click or F2 on a cell: open it for detailed editing.
   */
  signals[CELL_ACTIVATE] =
    g_signal_new ("cell-activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  gtk_widget_class_install_action (widget_class, "grid.move-cursor", "(ii)", move_cursor_action);
  gtk_widget_class_install_action (widget_class, "grid.activate-cell", NULL, activate_cell_action);
  gtk_widget_class_install_action (widget_class, "grid.delete-cell", NULL, delete_cell_action);

  add_move_binding (widget_class, GDK_KEY_Left, 0, GTK_MOVEMENT_VISUAL_POSITIONS, -1);
  add_move_binding (widget_class, GDK_KEY_KP_Left, 0, GTK_MOVEMENT_VISUAL_POSITIONS, -1);
  add_move_binding (widget_class, GDK_KEY_Right, 0, GTK_MOVEMENT_VISUAL_POSITIONS, 1);
  add_move_binding (widget_class, GDK_KEY_KP_Right, 0, GTK_MOVEMENT_VISUAL_POSITIONS, 1);
  add_move_binding (widget_class, GDK_KEY_Up, 0, GTK_MOVEMENT_DISPLAY_LINES, -1);
  add_move_binding (widget_class, GDK_KEY_KP_Up, 0, GTK_MOVEMENT_DISPLAY_LINES, -1);
  add_move_binding (widget_class, GDK_KEY_Down, 0, GTK_MOVEMENT_DISPLAY_LINES, 1);
  add_move_binding (widget_class, GDK_KEY_KP_Down, 0, GTK_MOVEMENT_DISPLAY_LINES, 1);
  /* Enter goes down the column: marks for one lesson are written top to bottom. */
  add_move_binding (widget_class, GDK_KEY_Return, 0, GTK_MOVEMENT_DISPLAY_LINES, 1);
  add_move_binding (widget_class, GDK_KEY_KP_Enter, 0, GTK_MOVEMENT_DISPLAY_LINES, 1);
  add_move_binding (widget_class, GDK_KEY_ISO_Enter, 0, GTK_MOVEMENT_DISPLAY_LINES, 1);
  add_move_binding (widget_class, GDK_KEY_Return, GDK_SHIFT_MASK, GTK_MOVEMENT_DISPLAY_LINES, -1);
  add_move_binding (widget_class, GDK_KEY_Page_Up, 0, GTK_MOVEMENT_PAGES, -1);
  add_move_binding (widget_class, GDK_KEY_KP_Page_Up, 0, GTK_MOVEMENT_PAGES, -1);
  add_move_binding (widget_class, GDK_KEY_Page_Down, 0, GTK_MOVEMENT_PAGES, 1);
  add_move_binding (widget_class, GDK_KEY_KP_Page_Down, 0, GTK_MOVEMENT_PAGES, 1);
  add_move_binding (widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK,
                    GTK_MOVEMENT_HORIZONTAL_PAGES, -1);
  add_move_binding (widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK,
                    GTK_MOVEMENT_HORIZONTAL_PAGES, 1);
  add_move_binding (widget_class, GDK_KEY_Home, 0, GTK_MOVEMENT_DISPLAY_LINE_ENDS, -1);
  add_move_binding (widget_class, GDK_KEY_KP_Home, 0, GTK_MOVEMENT_DISPLAY_LINE_ENDS, -1);
  add_move_binding (widget_class, GDK_KEY_End, 0, GTK_MOVEMENT_DISPLAY_LINE_ENDS, 1);
  add_move_binding (widget_class, GDK_KEY_KP_End, 0, GTK_MOVEMENT_DISPLAY_LINE_ENDS, 1);
  add_move_binding (widget_class, GDK_KEY_Home, GDK_CONTROL_MASK, GTK_MOVEMENT_BUFFER_ENDS, -1);
  add_move_binding (widget_class, GDK_KEY_KP_Home, GDK_CONTROL_MASK, GTK_MOVEMENT_BUFFER_ENDS, -1);
  add_move_binding (widget_class, GDK_KEY_End, GDK_CONTROL_MASK, GTK_MOVEMENT_BUFFER_ENDS, 1);
  add_move_binding (widget_class, GDK_KEY_KP_End, GDK_CONTROL_MASK, GTK_MOVEMENT_BUFFER_ENDS, 1);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Tab, 0, tab_binding, "i", 1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Tab, 0, tab_binding, "i", 1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Tab, GDK_SHIFT_MASK, tab_binding, "i", -1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Tab, GDK_SHIFT_MASK, tab_binding, "i", -1);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "grid.activate-cell", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0,
                                       "grid.delete-cell", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "grid.delete-cell", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0,
                                       "grid.delete-cell", NULL);

  gtk_widget_class_set_css_name (widget_class, "zhgrid");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GRID);
}

static void
zh_grid_init (ZhGrid *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *key;
  GtkGesture *click;

  for (guint i = 0; i < N_ROLES; i++)
    self->texts[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, grid_text_free);

  set_adjustment (self, GTK_ORIENTATION_HORIZONTAL, NULL);
  set_adjustment (self, GTK_ORIENTATION_VERTICAL, NULL);

  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_has_tooltip (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  /* The view colours of the theme: a plain page to write on. */
  gtk_widget_add_css_class (widget, "view");

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (widget, key);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));

  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (scale_factor_changed_cb), NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Table"),
                                  -1);
}

/* zh_grid_new: a new grid without a model. */
GtkWidget *
zh_grid_new (void)
{
  return g_object_new (ZH_TYPE_GRID, NULL);
}

/* _zh_grid_get_stats: counters for tests and the benchmark. */
void
_zh_grid_get_stats (ZhGrid      *self,
                    ZhGridStats *stats)
{
  g_return_if_fail (ZH_IS_GRID (self));
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
  stats->n_layouts_cached = 0;
  for (guint i = 0; i < N_ROLES; i++)
    stats->n_layouts_cached += g_hash_table_size (self->texts[i]);
}

/* _zh_grid_get_cursor_description: what the accessible description says now (transfer none). */
const char *
_zh_grid_get_cursor_description (ZhGrid *self)
{
  g_return_val_if_fail (ZH_IS_GRID (self), NULL);

  return self->cursor_description;
}
