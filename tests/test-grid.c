/* test-grid: ZhGrid in a real 1600×1000 window under Xvfb, over a made-up journal page — the
 * density rule of issue 6 (25 students × 30 lessons without scrolling), exact scroll ranges,
 * frozen names and header, the keyboard cursor, typed input, the accessible description, model
 * change signals and the layout cache. Screenshots land in BUILD/tests/ for people to look at. */
#define G_LOG_DOMAIN "test-grid"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "zh-grid-private.h"
#include "zh-grid-fake-model.h"
#include "zh-test-utils.h"
#include "zh-version.h"

typedef struct
{
  guint students;
  guint lessons;
} GridPage;

typedef struct
{
  GtkWindow       *window;
  GtkWidget       *scrolled;
  ZhGrid          *grid;
  ZhGridFakeModel *model;
} GridFixture;

static const GridPage page_dense = { 25, 30 };
static const GridPage page_year = { 40, 200 };
/* 40 rows fit 1600×1000 whole; vertical scrolling needs more. */
static const GridPage page_long = { 60, 200 };

/* Runs the main loop until the grid paints again; FALSE after five seconds without a paint. */
static gboolean
wait_for_paint (GridFixture *f)
{
  ZhGridStats before, now;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  _zh_grid_get_stats (f->grid, &before);
  do
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
      _zh_grid_get_stats (f->grid, &now);
    }
  while (now.n_snapshots == before.n_snapshots && g_get_monotonic_time () < deadline);
  return now.n_snapshots != before.n_snapshots;
}

static void
grid_setup (GridFixture   *f,
            gconstpointer  data)
{
  const GridPage *page = data;
  ZhGridStats stats;
  GdkSurface *surface;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  f->model = zh_grid_fake_model_new (page->students, page->lessons, 20251114);
  f->grid = ZH_GRID (zh_grid_new ());
  zh_grid_set_model (f->grid, ZH_GRID_MODEL (f->model));
  f->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (f->scrolled), GTK_WIDGET (f->grid));

  f->window = GTK_WINDOW (gtk_window_new ());
  /* The journal window will have a header bar; so does this one, to leave the grid its height. */
  gtk_window_set_titlebar (f->window, adw_header_bar_new ());
  gtk_window_set_default_size (f->window, 1600, 1000);
  gtk_window_set_child (f->window, f->scrolled);
  gtk_window_present (f->window);
  gtk_widget_grab_focus (GTK_WIDGET (f->grid));

  do
    {
      zh_test_spin (10);
      _zh_grid_get_stats (f->grid, &stats);
      surface = gtk_native_get_surface (GTK_NATIVE (f->window));
    }
  while ((stats.n_snapshots < 1 || surface == NULL || gdk_surface_get_width (surface) < 1600) &&
         g_get_monotonic_time () < deadline);
  /* The X window is 1600×1000; the grid gets what the header bar and frame leave. */
  g_assert_cmpint (gdk_surface_get_width (surface), ==, 1600);
  g_assert_cmpint (gdk_surface_get_height (surface), ==, 1000);
  g_assert_cmpuint (stats.n_snapshots, >=, 1);
}

static void
grid_teardown (GridFixture   *f,
               gconstpointer  data)
{
  gtk_window_destroy (f->window);
  zh_test_spin (10);
  g_object_unref (f->model);
}

/* Render @widget into a PNG the way a person would see it (as tests/test-app.c does). */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = zh_test_build_path ("tests", name, NULL);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static int
text_width (GtkWidget  *widget,
            const char *text,
            gboolean    bold)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int width;

  if (bold)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

/* Issue 6 §3: at 1600×1000 the page shows at least 25 students × 30 lessons without scrolling,
 * with readable type and no truncated marks; the summary columns are in view too. */
static void
test_density_fits (GridFixture   *f,
                   gconstpointer  data)
{
  GtkWidget *widget = GTK_WIDGET (f->grid);
  guint rb, re, cb, ce, n_columns = zh_grid_model_get_n_columns (ZH_GRID_MODEL (f->model));
  GdkRectangle cell, name;

  g_assert_true (zh_grid_get_visible_range (f->grid, &rb, &re, &cb, &ce));
  g_test_message ("grid %d×%d shows rows %u–%u, lessons %u–%u",
                  gtk_widget_get_width (widget), gtk_widget_get_height (widget), rb, re, cb, ce);
  g_assert_cmpuint (rb, ==, 0);
  g_assert_cmpuint (re, ==, 25);
  g_assert_cmpuint (cb, ==, 0);
  g_assert_cmpuint (ce, ==, 30);

  /* The summary columns are entirely inside the widget. */
  g_assert_true (zh_grid_get_cell_area (f->grid, 24, n_columns - 1, &cell));
  g_assert_cmpint (cell.x + cell.width, <=, gtk_widget_get_width (widget));
  g_assert_cmpint (cell.y + cell.height, <=, gtk_widget_get_height (widget));

  /* Readable: a row at least as tall as the text plus a little air; the names column wide
   * enough for a usual «Фамилия Имя». */
  g_assert_true (zh_grid_get_cell_area (f->grid, 0, -1, &name));
  g_assert_cmpint (name.width, >=,
                   text_width (widget, "Константинопольская Александра", FALSE) / 2);
  g_assert_cmpint (cell.height, >=, 18);

  /* No truncated marks: every cell is as wide as its widest text. */
  for (guint c = 0; c < n_columns; c++)
    {
      g_assert_true (zh_grid_get_cell_area (f->grid, 0, c, &cell));
      for (guint r = 0; r < 25; r++)
        {
          ZhGridCell content;

          zh_grid_model_get_cell (ZH_GRID_MODEL (f->model), r, c, &content);
          if (content.text != NULL && content.text[0] != '\0')
            g_assert_cmpint (cell.width, >=,
                             text_width (widget, content.text,
                                         content.flags & ZH_GRID_CELL_EMPHASIS) + 2);
        }
      /* And a double mark fits any lesson column, so a page does not jump when one appears. */
      g_assert_cmpint (cell.width, >=, text_width (widget, "4/5", FALSE) + 2);
    }

  save_screenshot (GTK_WIDGET (f->window), "screenshot-grid-25x30.png");
}

/* GtkScrollable: the adjustments cover exactly the content, so their range is the overflow. */
static void
test_adjustments_exact (GridFixture   *f,
                        gconstpointer  data)
{
  GtkWidget *widget = GTK_WIDGET (f->grid);
  GtkAdjustment *h = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (f->grid));
  GtkAdjustment *v = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (f->grid));
  int natural_width, natural_height;

  /* The scrolled window gave its own adjustments; the grid configured them. */
  g_assert_true (h == gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (f->scrolled)));
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural_width, NULL, NULL);
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, NULL, &natural_height, NULL, NULL);
  g_test_message ("content %d×%d in %d×%d", natural_width, natural_height,
                  gtk_widget_get_width (widget), gtk_widget_get_height (widget));

  g_assert_cmpint (natural_width, >, gtk_widget_get_width (widget));
  g_assert_cmpfloat (gtk_adjustment_get_lower (h), ==, 0);
  g_assert_cmpfloat (gtk_adjustment_get_upper (h), ==, natural_width);
  g_assert_cmpfloat (gtk_adjustment_get_page_size (h), ==, gtk_widget_get_width (widget));

  /* Rows that fit leave no vertical range at all. */
  g_assert_cmpfloat (gtk_adjustment_get_lower (v), ==, 0);
  g_assert_cmpfloat (gtk_adjustment_get_upper (v), ==,
                     MAX (natural_height, gtk_widget_get_height (widget)));
  g_assert_cmpfloat (gtk_adjustment_get_page_size (v), ==, gtk_widget_get_height (widget));
}

/* A GtkScrollable must accept NULL adjustments (it makes its own) and work without a parent
 * that scrolls it. */
static void
test_adjustments_null (void)
{
  g_autoptr(ZhGridFakeModel) model = zh_grid_fake_model_new (5, 5, 1);
  GtkWidget *grid = g_object_ref_sink (zh_grid_new ());
  GtkAdjustment *h;

  g_object_set (grid, "hadjustment", NULL, "vadjustment", NULL, NULL);
  h = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (grid));
  g_assert_true (GTK_IS_ADJUSTMENT (h));
  g_assert_true (GTK_IS_ADJUSTMENT (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (grid))));
  g_object_set (grid, "hscroll-policy", GTK_SCROLL_NATURAL, NULL);
  g_assert_cmpint (gtk_scrollable_get_hscroll_policy (GTK_SCROLLABLE (grid)), ==,
                   GTK_SCROLL_NATURAL);
  zh_grid_set_model (ZH_GRID (grid), ZH_GRID_MODEL (model));
  g_assert_true (zh_grid_get_model (ZH_GRID (grid)) == ZH_GRID_MODEL (model));
  g_object_unref (grid);
}

/* Issue 6 §3: frozen name column and sticky header — scrolling moves the cells, not those. */
static void
test_frozen_parts (GridFixture   *f,
                   gconstpointer  data)
{
  GtkAdjustment *h = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (f->grid));
  GtkAdjustment *v = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (f->grid));
  guint n_columns = zh_grid_model_get_n_columns (ZH_GRID_MODEL (f->model));
  GdkRectangle cell0, name0, head0, sum0, cell1, name1, head1, sum1;
  guint rb, re, cb, ce, cb2, rb2;
  double vmax;

  zh_grid_get_visible_range (f->grid, &rb, &re, &cb, &ce);
  zh_grid_get_cell_area (f->grid, 3, 5, &cell0);
  zh_grid_get_cell_area (f->grid, 3, -1, &name0);
  zh_grid_get_cell_area (f->grid, -1, 5, &head0);
  zh_grid_get_cell_area (f->grid, 3, n_columns - 1, &sum0);

  gtk_adjustment_set_value (h, 600);
  g_assert_true (wait_for_paint (f));
  zh_grid_get_visible_range (f->grid, NULL, NULL, &cb2, NULL);
  zh_grid_get_cell_area (f->grid, 3, 5, &cell1);
  zh_grid_get_cell_area (f->grid, 3, -1, &name1);
  zh_grid_get_cell_area (f->grid, -1, 5, &head1);
  zh_grid_get_cell_area (f->grid, 3, n_columns - 1, &sum1);
  g_assert_cmpuint (cb2, >, cb);
  g_assert_cmpint (cell1.x, ==, cell0.x - 600);
  g_assert_cmpint (head1.x, ==, head0.x - 600);
  g_assert_cmpint (head1.y, ==, head0.y);
  g_assert_cmpint (name1.x, ==, name0.x);
  g_assert_cmpint (sum1.x, ==, sum0.x);

  vmax = gtk_adjustment_get_upper (v) - gtk_adjustment_get_page_size (v);
  g_assert_cmpfloat (vmax, >, 0);
  gtk_adjustment_set_value (v, vmax);
  g_assert_true (wait_for_paint (f));
  zh_grid_get_visible_range (f->grid, &rb2, &re, NULL, NULL);
  zh_grid_get_cell_area (f->grid, 3, -1, &name1);
  zh_grid_get_cell_area (f->grid, -1, 5, &head1);
  g_assert_cmpuint (rb2, >, rb);
  g_assert_cmpuint (re, ==, page_long.students);
  g_assert_cmpint (name1.y, ==, name0.y - (int) vmax);
  g_assert_cmpint (name1.x, ==, 0);
  g_assert_cmpint (head1.y, ==, 0);

  save_screenshot (GTK_WIDGET (f->window), "screenshot-grid-40x200-scrolled.png");
}

static void
move (GridFixture     *f,
      GtkMovementStep  step,
      int              count)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->grid), "grid.move-cursor", "(ii)",
                                             step, count));
}

static void
assert_cursor (GridFixture *f,
               guint        row,
               guint        column)
{
  guint r, c;

  g_assert_true (zh_grid_get_cursor (f->grid, &r, &c));
  g_assert_cmpuint (r, ==, row);
  g_assert_cmpuint (c, ==, column);
}

/* The cursor cell lies wholly in the part of the grid where its kind of column is shown. */
static void
assert_cursor_visible (GridFixture *f)
{
  guint n_lessons = zh_grid_fake_model_get_n_lessons (f->model);
  GdkRectangle cell, name, first_summary;
  guint r, c;

  zh_grid_get_cursor (f->grid, &r, &c);
  zh_grid_get_cell_area (f->grid, r, c, &cell);
  zh_grid_get_cell_area (f->grid, -1, -1, &name);
  zh_grid_get_cell_area (f->grid, r, n_lessons, &first_summary);
  g_assert_cmpint (cell.y, >=, name.height);
  g_assert_cmpint (cell.y + cell.height, <=, gtk_widget_get_height (GTK_WIDGET (f->grid)));
  g_assert_cmpint (cell.x + cell.width, <=, gtk_widget_get_width (GTK_WIDGET (f->grid)));
  if (c < n_lessons)
    {
      g_assert_cmpint (cell.x, >=, name.width);
      g_assert_cmpint (cell.x + cell.width, <=, first_summary.x);
    }
}

/* Issue 6 §4: arrows, Tab, Enter, Home/End, Page Up/Down, Ctrl+Home/End move the cursor, and
 * the view follows it. */
static void
test_cursor_moves (GridFixture   *f,
                   gconstpointer  data)
{
  guint n_columns = zh_grid_model_get_n_columns (ZH_GRID_MODEL (f->model));
  guint n_lessons = zh_grid_fake_model_get_n_lessons (f->model);
  guint last_row = page_year.students - 1;
  GtkAdjustment *h = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (f->grid));
  guint rb, re, row;

  assert_cursor (f, 0, 0);
  move (f, GTK_MOVEMENT_VISUAL_POSITIONS, 1);    /* Right */
  move (f, GTK_MOVEMENT_DISPLAY_LINES, 1);       /* Down, Enter */
  assert_cursor (f, 1, 1);

  move (f, GTK_MOVEMENT_DISPLAY_LINE_ENDS, 1);   /* End: the period mark, pinned right */
  assert_cursor (f, 1, n_columns - 1);
  assert_cursor_visible (f);
  g_assert_cmpfloat (gtk_adjustment_get_value (h), ==, 0);

  for (guint i = 0; i < ZH_GRID_FAKE_N_SUMMARY; i++)
    move (f, GTK_MOVEMENT_VISUAL_POSITIONS, -1); /* Left into the last lesson */
  assert_cursor (f, 1, n_lessons - 1);
  assert_cursor_visible (f);
  g_assert_cmpfloat (gtk_adjustment_get_value (h), ==,
                     gtk_adjustment_get_upper (h) - gtk_adjustment_get_page_size (h));

  move (f, GTK_MOVEMENT_BUFFER_ENDS, -1);        /* Ctrl+Home */
  assert_cursor (f, 0, 0);
  g_assert_cmpfloat (gtk_adjustment_get_value (h), ==, 0);

  move (f, GTK_MOVEMENT_PAGES, 1);               /* Page Down: nearly a screenful */
  g_assert_true (zh_grid_get_visible_range (f->grid, &rb, &re, NULL, NULL));
  g_assert_true (zh_grid_get_cursor (f->grid, &row, NULL));
  g_assert_cmpuint (row, ==, re - rb - 1);
  assert_cursor_visible (f);
  move (f, GTK_MOVEMENT_PAGES, -1);              /* Page Up */
  assert_cursor (f, 0, 0);

  move (f, GTK_MOVEMENT_BUFFER_ENDS, 1);         /* Ctrl+End */
  assert_cursor (f, last_row, n_columns - 1);
  assert_cursor_visible (f);
  /* At the edge a move does nothing and says so (Down at the bottom, Tab past the end: focus may
   * then leave the grid). */
  g_assert_false (zh_grid_move_cursor (f->grid, GTK_MOVEMENT_DISPLAY_LINES, 1));
  g_assert_false (zh_grid_move_cursor (f->grid, GTK_MOVEMENT_LOGICAL_POSITIONS, 1));

  /* Tab wraps to the next row, Shift+Tab back. */
  zh_grid_set_cursor (f->grid, 0, n_columns - 1);
  move (f, GTK_MOVEMENT_LOGICAL_POSITIONS, 1);
  assert_cursor (f, 1, 0);
  move (f, GTK_MOVEMENT_LOGICAL_POSITIONS, -1);
  assert_cursor (f, 0, n_columns - 1);
  move (f, GTK_MOVEMENT_DISPLAY_LINE_ENDS, -1);  /* Home */
  assert_cursor (f, 0, 0);

  /* Out-of-range requests are clamped, and the properties follow. */
  zh_grid_set_cursor (f->grid, 1000, 1000);
  assert_cursor (f, last_row, n_columns - 1);
  g_object_set (f->grid, "cursor-row", 2, "cursor-column", 3, NULL);
  assert_cursor (f, 2, 3);
}

/* Walking right through every column keeps the cursor fully in view all the way. */
static void
test_cursor_kept_visible (GridFixture   *f,
                          gconstpointer  data)
{
  guint n_columns = zh_grid_model_get_n_columns (ZH_GRID_MODEL (f->model));

  for (guint c = 1; c < n_columns; c++)
    {
      move (f, GTK_MOVEMENT_VISUAL_POSITIONS, 1);
      assert_cursor (f, 0, c);
      assert_cursor_visible (f);
    }
  for (guint c = n_columns - 1; c > 0; c--)
    {
      move (f, GTK_MOVEMENT_VISUAL_POSITIONS, -1);
      assert_cursor_visible (f);
    }
  for (guint r = 1; r < page_long.students; r++)
    {
      move (f, GTK_MOVEMENT_DISPLAY_LINES, 1);
      assert_cursor_visible (f);
    }
  g_assert_true (wait_for_paint (f));
}

typedef struct
{
  guint  row;
  guint  column;
  char  *text;
  guint  n_input;
  guint  n_delete;
  guint  n_activate;
} Received;

static void
cell_input_cb (ZhGrid     *grid,
               guint       row,
               guint       column,
               const char *text,
               Received   *received)
{
  received->row = row;
  received->column = column;
  g_free (received->text);
  received->text = g_strdup (text);
  received->n_input++;
}

static void
cell_delete_cb (ZhGrid   *grid,
                guint     row,
                guint     column,
                Received *received)
{
  received->row = row;
  received->column = column;
  received->n_delete++;
}

static void
cell_activate_cb (ZhGrid   *grid,
                  guint     row,
                  guint     column,
                  Received *received)
{
  received->row = row;
  received->column = column;
  received->n_activate++;
}

/* Issue 6 §4: digits put a mark, «н» an absence, Backspace clears: the grid turns keys into
 * signals on the cursor cell and leaves shortcuts alone. */
static void
test_keys_to_signals (GridFixture   *f,
                      gconstpointer  data)
{
  Received received = { 0 };

  g_signal_connect (f->grid, "cell-input", G_CALLBACK (cell_input_cb), &received);
  g_signal_connect (f->grid, "cell-delete", G_CALLBACK (cell_delete_cb), &received);
  g_signal_connect (f->grid, "cell-activate", G_CALLBACK (cell_activate_cb), &received);
  zh_grid_set_cursor (f->grid, 4, 7);

  g_assert_true (_zh_grid_key_pressed (f->grid, GDK_KEY_5, 0));
  g_assert_cmpstr (received.text, ==, "5");
  g_assert_cmpuint (received.row, ==, 4);
  g_assert_cmpuint (received.column, ==, 7);
  g_assert_true (_zh_grid_key_pressed (f->grid, GDK_KEY_Cyrillic_en, 0));
  g_assert_cmpstr (received.text, ==, "н");
  g_assert_true (_zh_grid_key_pressed (f->grid, GDK_KEY_Cyrillic_be, 0));
  g_assert_cmpstr (received.text, ==, "б");
  g_assert_true (_zh_grid_key_pressed (f->grid, GDK_KEY_KP_4, 0));
  g_assert_cmpstr (received.text, ==, "4");
  g_assert_true (_zh_grid_key_pressed (f->grid, GDK_KEY_slash, GDK_SHIFT_MASK));
  g_assert_cmpstr (received.text, ==, "/");
  g_assert_cmpuint (received.n_input, ==, 5);

  /* Shortcuts and movement keys are not text. */
  g_assert_false (_zh_grid_key_pressed (f->grid, GDK_KEY_5, GDK_CONTROL_MASK));
  g_assert_false (_zh_grid_key_pressed (f->grid, GDK_KEY_Cyrillic_en, GDK_ALT_MASK));
  g_assert_false (_zh_grid_key_pressed (f->grid, GDK_KEY_Left, 0));
  g_assert_false (_zh_grid_key_pressed (f->grid, GDK_KEY_Tab, 0));
  g_assert_false (_zh_grid_key_pressed (f->grid, GDK_KEY_space, 0));
  g_assert_false (_zh_grid_key_pressed (f->grid, GDK_KEY_Return, 0));
  g_assert_cmpuint (received.n_input, ==, 5);

  /* Backspace/Delete and F2 are bound to these actions. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->grid), "grid.delete-cell", NULL));
  g_assert_cmpuint (received.n_delete, ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->grid), "grid.activate-cell", NULL));
  g_assert_cmpuint (received.n_activate, ==, 1);
  g_assert_cmpuint (received.row, ==, 4);
  g_assert_cmpuint (received.column, ==, 7);

  g_signal_handlers_disconnect_by_data (f->grid, &received);
  g_free (received.text);
}

static char *
expected_description (GridFixture *f,
                      guint        row,
                      guint        column,
                      const char  *state)
{
  ZhGridModel *model = ZH_GRID_MODEL (f->model);
  g_autofree char *tooltip = zh_grid_model_get_cell_tooltip (model, row, column);
  ZhGridRow r;
  ZhGridColumn c;
  ZhGridCell cell;
  GString *s = g_string_new (NULL);

  zh_grid_model_get_row (model, row, &r);
  zh_grid_model_get_column (model, column, &c);
  zh_grid_model_get_cell (model, row, column, &cell);
  g_string_append_printf (s, "%s, %s, %s", r.title, c.label, cell.text);
  if (tooltip != NULL)
    g_string_append_printf (s, ", %s", tooltip);
  if (state != NULL)
    g_string_append_printf (s, ", %s", state);
  return g_string_free (s, FALSE);
}

/* Issue 6 (accessibility in GTK 4.8): the grid is a GRID, and its accessible description names
 * the cursor cell as «Иванова Анна, 14.11, 5, контрольная работа», following the cursor. */
static void
test_accessible_description (GridFixture   *f,
                             gconstpointer  data)
{
  ZhGridModel *model = ZH_GRID_MODEL (f->model);
  guint test_row = G_MAXUINT;
  g_autofree char *expected = NULL;
  ZhGridCell cell;

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (f->grid), GTK_ACCESSIBLE_ROLE_GRID);

  /* A mark in the first test column (lesson 7). */
  for (guint r = 0; r < page_year.students && test_row == G_MAXUINT; r++)
    {
      zh_grid_model_get_cell (model, r, 7, &cell);
      if (cell.text != NULL && g_ascii_isdigit (cell.text[0]) && cell.flags == ZH_GRID_CELL_SYNCED)
        test_row = r;
    }
  g_assert_cmpuint (test_row, !=, G_MAXUINT);
  zh_grid_set_cursor (f->grid, test_row, 7);
  expected = expected_description (f, test_row, 7, NULL);
  g_test_message ("%s", expected);
  g_assert_true (g_str_has_suffix (expected, "контрольная работа"));
  g_assert_cmpstr (_zh_grid_get_cursor_description (f->grid), ==, expected);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (f->grid),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);

  /* The refused «3» of the second student says so. */
  move (f, GTK_MOVEMENT_BUFFER_ENDS, -1);
  move (f, GTK_MOVEMENT_DISPLAY_LINES, 1);
  move (f, GTK_MOVEMENT_VISUAL_POSITIONS, 2);
  g_clear_pointer (&expected, g_free);
  expected = expected_description (f, 1, 2, _("refused by the service"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (f->grid),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);

  /* A change to the cursor cell is described at once. */
  zh_grid_fake_model_set_cell (f->model, 1, 2, "4/5", ZH_GRID_CELL_WAITING);
  g_clear_pointer (&expected, g_free);
  expected = expected_description (f, 1, 2, _("not sent yet"));
  g_assert_true (strstr (expected, ", 4/5, ") != NULL);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (f->grid),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);
}

/* ZhGridModel::cells-changed repaints without re-measuring while the texts fit; a wider text
 * widens its column. */
static void
test_cells_changed_redraws (GridFixture   *f,
                            gconstpointer  data)
{
  GtkAdjustment *h = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (f->grid));
  ZhGridStats before, after;
  GdkRectangle cell0, cell1;
  double upper;

  /* Idle, the grid does not paint: otherwise the next check could not fail. */
  zh_test_spin (100);
  _zh_grid_get_stats (f->grid, &before);
  zh_test_spin (100);
  _zh_grid_get_stats (f->grid, &after);
  g_assert_cmpuint (after.n_snapshots, ==, before.n_snapshots);

  zh_grid_fake_model_set_cell (f->model, 5, 5, "5", ZH_GRID_CELL_WAITING);
  g_assert_true (wait_for_paint (f));
  _zh_grid_get_stats (f->grid, &after);
  g_assert_cmpuint (after.n_metrics, ==, before.n_metrics);

  zh_grid_get_cell_area (f->grid, 5, 5, &cell0);
  upper = gtk_adjustment_get_upper (h);
  zh_grid_fake_model_set_cell (f->model, 5, 5, "5/5/5/5", ZH_GRID_CELL_WAITING);
  g_assert_true (wait_for_paint (f));
  zh_grid_get_cell_area (f->grid, 5, 5, &cell1);
  g_assert_cmpint (cell1.width, >, cell0.width);
  g_assert_cmpfloat (gtk_adjustment_get_upper (h), ==, upper + cell1.width - cell0.width);
}

/* ZhGridModel::structure-changed re-measures: new rows extend the scroll range. */
static void
test_structure_changed_remeasures (GridFixture   *f,
                                   gconstpointer  data)
{
  GtkAdjustment *v = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (f->grid));
  ZhGridStats before, after;
  GdkRectangle cell;
  double upper = gtk_adjustment_get_upper (v);
  guint rb, re;

  _zh_grid_get_stats (f->grid, &before);
  zh_grid_get_cell_area (f->grid, 0, 0, &cell);
  zh_grid_fake_model_add_students (f->model, 5);
  g_assert_true (wait_for_paint (f));
  _zh_grid_get_stats (f->grid, &after);
  g_assert_cmpuint (after.n_metrics, >, before.n_metrics);
  g_assert_cmpfloat (gtk_adjustment_get_upper (v), ==, upper + 5 * cell.height);

  zh_grid_set_cursor (f->grid, page_long.students + 4, 0);
  zh_grid_get_visible_range (f->grid, &rb, &re, NULL, NULL);
  g_assert_cmpuint (re, ==, page_long.students + 5);
}

static void
add_text (GHashTable *set,
          const char *text)
{
  if (text != NULL && text[0] != '\0')
    g_hash_table_add (set, g_strdup (text));
}

/* Issue 6 facts: one PangoLayout per distinct text, reused frame after frame — drawing the
 * 40 × 200 page end to end twice makes no more layouts than the page has distinct texts. */
static void
test_layouts_cached (GridFixture   *f,
                     gconstpointer  data)
{
  ZhGridModel *model = ZH_GRID_MODEL (f->model);
  GtkAdjustment *h = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (f->grid));
  g_autoptr(GHashTable) cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) bold = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) markers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) marks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_rows = zh_grid_model_get_n_rows (model);
  guint n_columns = zh_grid_model_get_n_columns (model);
  ZhGridStats first, second;
  guint bound;

  for (guint c = 0; c < n_columns; c++)
    {
      ZhGridColumn column;

      zh_grid_model_get_column (model, c, &column);
      add_text (headers, column.band);
      add_text (headers, column.title);
      add_text (markers, column.marker);
      for (guint r = 0; r < n_rows; r++)
        {
          ZhGridCell cell;

          zh_grid_model_get_cell (model, r, c, &cell);
          add_text ((cell.flags & ZH_GRID_CELL_EMPHASIS) ? bold : cells, cell.text);
          if (c < zh_grid_fake_model_get_n_lessons (f->model))
            add_text (marks, cell.text);
        }
    }
  for (guint r = 0; r < n_rows; r++)
    {
      ZhGridRow row;

      zh_grid_model_get_row (model, r, &row);
      add_text (names, row.title);
    }
  add_text (headers, zh_grid_model_get_row_header_title (model));
  /* Row numbers 1…n, and the two probes the grid measures its font with («4/5», «0»). */
  bound = g_hash_table_size (cells) + g_hash_table_size (bold) + g_hash_table_size (headers) +
          g_hash_table_size (markers) + g_hash_table_size (names) + n_rows + 2;

  for (int pass = 0; pass < 2; pass++)
    {
      double step = gtk_adjustment_get_page_size (h) / 2;
      double end = gtk_adjustment_get_upper (h) - gtk_adjustment_get_page_size (h);

      for (double value = step; value < end + step; value += step)
        {
          gtk_adjustment_set_value (h, MIN (value, end));
          g_assert_true (wait_for_paint (f));
        }
      gtk_adjustment_set_value (h, 0);
      g_assert_true (wait_for_paint (f));
      _zh_grid_get_stats (f->grid, pass == 0 ? &first : &second);
    }
  g_test_message ("layouts: %u made, %u held; distinct texts bound %u; %u nodes a frame",
                  second.n_layouts_created, second.n_layouts_cached, bound, second.n_nodes);
  g_assert_cmpuint (second.n_layouts_created, ==, first.n_layouts_created);
  g_assert_cmpuint (second.n_layouts_created, <=, bound);
  /* The marks themselves: a dozen or so distinct texts for 8,000 cells. */
  g_assert_cmpuint (g_hash_table_size (marks), <, 20);
}

/* A font change (here a larger CSS font size) drops the layouts and re-measures the rows. */
static void
test_font_change_drops_layouts (GridFixture   *f,
                                gconstpointer  data)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  ZhGridStats before, after;
  GdkRectangle cell0, cell1;

  zh_grid_get_cell_area (f->grid, 0, 0, &cell0);
  _zh_grid_get_stats (f->grid, &before);
  gtk_css_provider_load_from_data (css, "zhgrid { font-size: 24px; }", -1);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_add_provider (gtk_widget_get_style_context (GTK_WIDGET (f->grid)),
                                  GTK_STYLE_PROVIDER (css), GTK_STYLE_PROVIDER_PRIORITY_USER);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_true (wait_for_paint (f));
  zh_grid_get_cell_area (f->grid, 0, 0, &cell1);
  _zh_grid_get_stats (f->grid, &after);
  g_test_message ("row height %d → %d", cell0.height, cell1.height);
  g_assert_cmpint (cell1.height, >, cell0.height);
  g_assert_cmpuint (after.n_metrics, >, before.n_metrics);
  g_assert_cmpuint (after.n_layouts_created, >, before.n_layouts_created);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("LANGUAGE", "ru", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  /* GTK's test accessibility backend records what the grid tells screen readers, so the
   * accessible properties can be read back (the suite's default, none, keeps no record). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  zh_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, page, func) \
  g_test_add (path, GridFixture, page, grid_setup, func, grid_teardown)

  ADD ("/grid/density/25x30-fits-1600x1000", &page_dense, test_density_fits);
  ADD ("/grid/scroll/adjustments-exact", &page_year, test_adjustments_exact);
  g_test_add_func ("/grid/scroll/adjustments-null", test_adjustments_null);
  ADD ("/grid/scroll/frozen-names-and-header", &page_long, test_frozen_parts);
  ADD ("/grid/cursor/keys-move", &page_year, test_cursor_moves);
  ADD ("/grid/cursor/kept-visible", &page_long, test_cursor_kept_visible);
  ADD ("/grid/input/keys-to-signals", &page_year, test_keys_to_signals);
  ADD ("/grid/a11y/description-follows-cursor", &page_year, test_accessible_description);
  ADD ("/grid/model/cells-changed-redraws", &page_year, test_cells_changed_redraws);
  ADD ("/grid/model/structure-changed-remeasures", &page_long, test_structure_changed_remeasures);
  ADD ("/grid/layouts/cached-per-distinct-text", &page_year, test_layouts_cached);
  ADD ("/grid/layouts/font-change-drops-cache", &page_year, test_font_change_drops_layouts);

  return g_test_run ();
}
