/* bench-grid: how fast ZhGrid shows and scrolls the largest journal page.
 *
 * A 1600×1000 window (header bar, scrolled window, grid) shows a made-up year page of 40 students
 * × 200 lessons (marks 2–5, «н», «б», double marks, ~70 % empty cells, four summary columns).
 * It measures, per issue 6:
 *   (a) the time from setting the model to the end of the first frame that painted it, on a cold
 *       grid (no layouts cached yet) and when switching back to it from another page (warm);
 *   (b) frame times while scrolling end to end both ways, one mouse-wheel step per frame
 *       (GtkScrolledWindow's step, page_size^(2/3)): horizontally on the 40 × 200 page, and
 *       vertically on a 120 × 200 page, since 40 rows fit the window whole;
 *   (c) render nodes the grid appends per frame and layouts it made.
 * A frame's time runs from the frame clock's before-paint to its after-paint: layout, the whole
 * window's snapshot and its rendering by the GSK renderer in use.
 *
 *   xvfb-run -a -s '-screen 0 1600x1000x24' env GSK_RENDERER=cairo GDK_BACKEND=x11 \
 *     GTK_A11Y=none build/bench/bench-grid
 */
#define G_LOG_DOMAIN "bench-grid"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <adwaita.h>

#include "zh-grid-fake-model.h"
#include "zh-bench-frames.h"
#include "zh-grid-private.h"

typedef struct
{
  GtkWindow *window;
  ZhBenchFrames f;
  GArray    *snapshot_usec; /* of double, ms, per recorded frame */
  GArray    *frame_usec;    /* of double, ms */
  guint      max_nodes;
} Bench;


static void
print_row (const char *what,
           GArray     *values,
           const char *target)
{
  printf ("%-40s %7.1f %7.1f %7.1f %6u   %s\n", what, zh_bench_percentile (values, 50),
          zh_bench_percentile (values, 95), zh_bench_percentile (values, 100), values->len, target);
}

static void
record_frame (Bench *b)
{
  ZhGridStats stats;
  double frame = (b->f.frame_end - b->f.frame_start) / 1000.0;
  double snapshot;

  _zh_grid_get_stats (b->f.grid, &stats);
  snapshot = stats.snapshot_usec / 1000.0;
  g_array_append_val (b->frame_usec, frame);
  g_array_append_val (b->snapshot_usec, snapshot);
  b->max_nodes = MAX (b->max_nodes, stats.n_nodes);
}

/* Times of showing a page, in ms: the whole (zh_grid_set_model to the end of the frame that
 * painted it) and its parts. */
typedef struct
{
  GArray *total;
  GArray *set_model;
  GArray *wait;      /* from set_model's return to the frame's start (frame clock pacing) */
  GArray *frame;
  GArray *snapshot;
} ShowTimes;

static void
show_times_init (ShowTimes *t)
{
  t->total = g_array_new (FALSE, FALSE, sizeof (double));
  t->set_model = g_array_new (FALSE, FALSE, sizeof (double));
  t->wait = g_array_new (FALSE, FALSE, sizeof (double));
  t->frame = g_array_new (FALSE, FALSE, sizeof (double));
  t->snapshot = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
show_times_clear (ShowTimes *t)
{
  g_array_unref (t->total);
  g_array_unref (t->set_model);
  g_array_unref (t->wait);
  g_array_unref (t->frame);
  g_array_unref (t->snapshot);
}

static void
append_ms (GArray *values,
           gint64  usec)
{
  double ms = usec / 1000.0;

  g_array_append_val (values, ms);
}

static void
show_page (Bench       *b,
           ZhGridModel *model,
           ShowTimes   *times)
{
  gint64 start = g_get_monotonic_time (), set;
  ZhGridStats stats;

  zh_grid_set_model (b->f.grid, model);
  set = g_get_monotonic_time ();
  zh_bench_wait_grid_frame (&b->f, "bench-grid");
  if (times == NULL)
    return;
  _zh_grid_get_stats (b->f.grid, &stats);
  append_ms (times->total, b->f.frame_end - start);
  append_ms (times->set_model, set - start);
  append_ms (times->wait, MAX (0, b->f.frame_start - set));
  append_ms (times->frame, b->f.frame_end - b->f.frame_start);
  append_ms (times->snapshot, stats.snapshot_usec);
}

static void
print_show_times (const char *what,
                  ShowTimes  *t)
{
  print_row (what, t->total, "<= 25");
  print_row ("  zh_grid_set_model", t->set_model, "");
  print_row ("  waiting for the frame clock", t->wait, "");
  print_row ("  the frame (layout, snapshot, render)", t->frame, "");
  print_row ("  grid snapshot", t->snapshot, "");
}

/* One wheel step per frame from one end of @adjustment to the other. */
static void
scroll_through (Bench         *b,
                GtkAdjustment *adjustment,
                gboolean       forward)
{
  double page = gtk_adjustment_get_page_size (adjustment);
  double end = gtk_adjustment_get_upper (adjustment) - page;
  double step = pow (page, 2.0 / 3.0);
  double value = gtk_adjustment_get_value (adjustment);

  g_array_set_size (b->frame_usec, 0);
  g_array_set_size (b->snapshot_usec, 0);
  for (;;)
    {
      double next = forward ? MIN (value + step, end) : MAX (value - step, 0);

      if (next == value)
        break;
      gtk_adjustment_set_value (adjustment, next);
      value = next;
      zh_bench_wait_grid_frame (&b->f, "bench-grid");
      record_frame (b);
    }
}

/* Twenty frames that repaint the grid without scrolling. */
static void
repaint (Bench       *b,
         ZhGridModel *model)
{
  show_page (b, model, NULL);
  g_array_set_size (b->frame_usec, 0);
  g_array_set_size (b->snapshot_usec, 0);
  for (int i = 0; i < 20; i++)
    {
      gtk_widget_queue_draw (GTK_WIDGET (b->f.grid));
      zh_bench_wait_grid_frame (&b->f, "bench-grid");
      record_frame (b);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(ZhGridFakeModel) year = NULL;
  g_autoptr(ZhGridFakeModel) year2 = NULL;
  g_autoptr(ZhGridFakeModel) small = NULL;
  g_autoptr(ZhGridFakeModel) tall = NULL;
  g_autoptr(ZhGridFakeModel) tiny = NULL;
  ShowTimes cold, warm;
  Bench b = { 0 };
  GtkWidget *scrolled;
  GtkAdjustment *h, *v;
  ZhGridStats stats;
  const char *renderer_env = g_getenv ("GSK_RENDERER");

  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  gtk_init ();
  adw_init ();

  show_times_init (&cold);
  show_times_init (&warm);
  b.frame_usec = g_array_new (FALSE, FALSE, sizeof (double));
  b.snapshot_usec = g_array_new (FALSE, FALSE, sizeof (double));
  year = zh_grid_fake_model_new (40, 200, 1);
  year2 = zh_grid_fake_model_new (40, 200, 2);
  small = zh_grid_fake_model_new (25, 30, 3);
  tall = zh_grid_fake_model_new (120, 200, 4);
  tiny = zh_grid_fake_model_new (1, 1, 5);

  b.f.grid = ZH_GRID (zh_grid_new ());
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (b.f.grid));
  b.window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_titlebar (b.window, adw_header_bar_new ());
  gtk_window_set_default_size (b.window, 1600, 1000);
  gtk_window_set_child (b.window, scrolled);
  gtk_window_present (b.window);
  gtk_widget_grab_focus (GTK_WIDGET (b.f.grid));

  /* Let the window map and settle with an empty grid. */
  while (!gtk_widget_get_mapped (GTK_WIDGET (b.f.grid)))
    g_main_context_iteration (NULL, TRUE);
  zh_bench_frames_watch (&b.f, GTK_WIDGET (b.window));
  zh_bench_spin (300);

  /* (a) Choosing the largest page: cold, then switching to it from a small page. */
  show_page (&b, ZH_GRID_MODEL (year), &cold);
  for (int i = 0; i < 20; i++)
    {
      zh_bench_spin (50);
      show_page (&b, ZH_GRID_MODEL (small), NULL);
      zh_bench_spin (50);
      show_page (&b, ZH_GRID_MODEL (i % 2 ? year : year2), &warm);
    }

  h = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (b.f.grid));
  v = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (b.f.grid));

  printf ("bench-grid: ZhGrid, 40 students x 200 lessons + 4 summary columns, window 1600x1000\n");
  printf ("renderer: %s (GSK_RENDERER=%s); grid %dx%d; content %.0fx%.0f\n\n",
          G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (b.window))),
          renderer_env != NULL ? renderer_env : "unset",
          gtk_widget_get_width (GTK_WIDGET (b.f.grid)), gtk_widget_get_height (GTK_WIDGET (b.f.grid)),
          gtk_adjustment_get_upper (h), gtk_adjustment_get_upper (v));
  printf ("%-40s %7s %7s %7s %6s   %s\n", "ms", "p50", "p95", "max", "n", "target");
  print_show_times ("first frame, cold grid", &cold);
  print_show_times ("first frame, switching pages", &warm);

  /* (b) Scrolling end to end, both ways. */
  zh_bench_spin (100);
  scroll_through (&b, h, TRUE);
  print_row ("scroll right 40x200, frame", b.frame_usec, "p95 <= 16.7, max <= 25");
  print_row ("  of which grid snapshot", b.snapshot_usec, "");
  scroll_through (&b, h, FALSE);
  print_row ("scroll left 40x200, frame", b.frame_usec, "p95 <= 16.7, max <= 25");
  print_row ("  of which grid snapshot", b.snapshot_usec, "");

  show_page (&b, ZH_GRID_MODEL (tall), NULL);
  zh_bench_spin (100);
  scroll_through (&b, v, TRUE);
  print_row ("scroll down 120x200, frame", b.frame_usec, "p95 <= 16.7, max <= 25");
  print_row ("  of which grid snapshot", b.snapshot_usec, "");
  scroll_through (&b, v, FALSE);
  print_row ("scroll up 120x200, frame", b.frame_usec, "p95 <= 16.7, max <= 25");
  print_row ("  of which grid snapshot", b.snapshot_usec, "");
  /* Diagonal: both at once, as a touchpad does; from the top left corner. */
  g_array_set_size (b.frame_usec, 0);
  g_array_set_size (b.snapshot_usec, 0);
  for (int i = 1; i <= 60; i++)
    {
      gtk_adjustment_set_value (h, (gtk_adjustment_get_upper (h) -
                                    gtk_adjustment_get_page_size (h)) * i / 60);
      gtk_adjustment_set_value (v, (gtk_adjustment_get_upper (v) -
                                    gtk_adjustment_get_page_size (v)) * i / 60);
      zh_bench_wait_grid_frame (&b.f, "bench-grid");
      record_frame (&b);
    }
  print_row ("scroll diagonal 120x200, frame", b.frame_usec, "p95 <= 16.7, max <= 25");

  /* The floor: repainting a nearly empty grid costs the window's own frame, whatever the grid
   * draws; then the 40 × 200 page standing still. */
  repaint (&b, ZH_GRID_MODEL (tiny));
  print_row ("repaint, 1x1 page (window floor)", b.frame_usec, "");
  repaint (&b, ZH_GRID_MODEL (year));
  print_row ("repaint, 40x200 page", b.frame_usec, "");

  /* (c) Work per frame. */
  _zh_grid_get_stats (b.f.grid, &stats);
  printf ("\nrender nodes appended by the grid per frame: up to %u\n", b.max_nodes);
  printf ("PangoLayouts made in all: %u (held now: %u), for %u frames painted\n",
          stats.n_layouts_created, stats.n_layouts_cached, stats.n_snapshots);

  gtk_window_destroy (b.window);
  g_array_unref (b.frame_usec);
  g_array_unref (b.snapshot_usec);
  show_times_clear (&cold);
  show_times_clear (&warm);
  return 0;
}
