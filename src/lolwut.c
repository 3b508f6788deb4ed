/* lolwut.c -- LOLWUT [VERSION <n> [params...]]: the server version, after
 * a piece of computer art for the versions that have one.
 *
 * Redis 7.0 has no art of its own: LOLWUT and any VERSION other than 5 or
 * 6 reply just "Redis ver. <version>\n". VERSION 5 draws Georg Nees's
 * "Schotter" (a grid of squares, more and more rotated and displaced row
 * after row) on a canvas of pixels printed as Unicode braille, 2x4 pixels
 * per character. The first two rows are not disturbed, so small pictures
 * are the same as Redis's byte for byte; the disorder below them is random
 * in Redis and in minired alike. VERSION 6 draws a city skyline in four
 * grey levels (ANSI colours, one space per pixel): three rows of random
 * buildings in front of a white sky, as Redis's; only pictures too small
 * to hold a building are byte-equal. Owns no state. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

#define LOLWUT_VERSION_LINE "Redis ver. " MINIRED_REDIS_COMPAT_VERSION "\n"

/* ---------------------------------------------------------- canvas */

typedef struct canvas {
    int width, height;
    unsigned char *px; /* width * height, 1 = ink */
} canvas;

static canvas *canvas_new(int width, int height) {
    canvas *cv = zmalloc(sizeof(*cv));
    cv->width = width;
    cv->height = height;
    cv->px = zcalloc((size_t)width * (size_t)height);
    return cv;
}

static void canvas_free(canvas *cv) {
    zfree(cv->px);
    zfree(cv);
}

/* Points outside the canvas are dropped: squares may stick out of it. */
static void canvas_set(canvas *cv, int x, int y) {
    if (x < 0 || y < 0 || x >= cv->width || y >= cv->height) return;
    cv->px[(size_t)y * (size_t)cv->width + (size_t)x] = 1;
}

static int canvas_get(const canvas *cv, int x, int y) {
    if (x < 0 || y < 0 || x >= cv->width || y >= cv->height) return 0;
    return cv->px[(size_t)y * (size_t)cv->width + (size_t)x];
}

/* Bresenham: every pixel of the segment, both ends included. */
static void canvas_line(canvas *cv, int x0, int y0, int x1, int y1) {
    int dx = abs(x1 - x0), dy = -abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
        canvas_set(cv, x0, y0);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

/* A square of the given side centred on (cx, cy), turned by angle: its
 * corners sit on a circle, a quarter turn apart, at the side's half
 * diagonal (rounded to whole pixels, as Redis places them). */
static void canvas_square(canvas *cv, int cx, int cy, float side, float angle) {
    int px[4], py[4];
    float radius = roundf(side / (float)M_SQRT2);
    float a = (float)M_PI / 4 + angle;
    for (int k = 0; k < 4; k++, a += (float)M_PI / 2) {
        px[k] = (int)roundf(sinf(a) * radius + (float)cx);
        py[k] = (int)roundf(cosf(a) * radius + (float)cy);
    }
    for (int k = 0; k < 4; k++) canvas_line(cv, px[k], py[k], px[(k + 1) % 4], py[(k + 1) % 4]);
}

/* Braille cell bits of the pixel at (dx, dy) inside a 2x4 cell: dots 1-3
 * and 4-6 are the first three rows of each column, 7 and 8 the last. */
static unsigned braille_bit(int dx, int dy) {
    static const unsigned char bits[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    return bits[dy][dx];
}

/* The canvas as lines of braille characters (UTF-8). */
static sds canvas_render(const canvas *cv, sds out) {
    for (int y = 0; y < cv->height; y += 4) {
        for (int x = 0; x < cv->width; x += 2) {
            unsigned code = 0x2800;
            for (int dy = 0; dy < 4; dy++)
                for (int dx = 0; dx < 2; dx++)
                    if (canvas_get(cv, x + dx, y + dy)) code |= braille_bit(dx, dy);
            char utf8[3] = {(char)(0xE0 | (code >> 12)), (char)(0x80 | ((code >> 6) & 0x3F)),
                            (char)(0x80 | (code & 0x3F))};
            out = sds_cat_len(out, utf8, sizeof(utf8));
        }
        /* Redis ends every row with a newline except a row that starts
         * on the canvas's last pixel line. */
        if (y != cv->height - 1) out = sds_cat_len(out, "\n", 1);
    }
    return out;
}

/* ---------------------------------------------------------- schotter */

static float rand_unit(void) {
    return (float)rand() / (float)RAND_MAX;
}

/* Rows from the third on get a random turn and shift that grow with the
 * row number, up to a quarter turn and a third of a side. */
static canvas *draw_schotter(int cols, int per_row, int per_col) {
    int width = cols * 2;
    int padding = width > 4 ? 2 : 0;
    float side = (float)(width - padding * 2) / (float)per_row;
    int height = (int)(side * (float)per_col + (float)(padding * 2));
    canvas *cv = canvas_new(width, height);
    for (int y = 0; y < per_col; y++) {
        for (int x = 0; x < per_row; x++) {
            int cx = (int)((float)x * side + side / 2 + (float)padding);
            int cy = (int)((float)y * side + side / 2 + (float)padding);
            float angle = 0;
            if (y > 1) {
                float disorder = (float)y / (float)per_col;
                angle = (rand_unit() - 0.5f) * (float)M_PI / 2 * disorder;
                cx += (int)((rand_unit() - 0.5f) * side / 3 * disorder);
                cy += (int)((rand_unit() - 0.5f) * side / 3 * disorder);
            }
            canvas_square(cv, cx, cy, side, angle);
        }
    }
    return cv;
}

static long clamp_long(long long v, long lo, long hi) {
    return v < lo ? lo : v > hi ? hi : (long)v;
}

/* VERSION 5 [cols [squares-per-row [squares-per-col]]], defaults 66 8 12;
 * out-of-range values are clamped (1-1000, 1-200, 1-200), as Redis does. */
static void lolwut5(client *c, int first) {
    long long v[3] = {66, 8, 12};
    for (int i = 0; i < 3 && first + i < c->argc; i++) {
        if (!string2ll(c->argv[first + i], sds_len(c->argv[first + i]), &v[i])) {
            reply_error_not_integer(c);
            return;
        }
    }
    canvas *cv = draw_schotter((int)clamp_long(v[0], 1, 1000), (int)clamp_long(v[1], 1, 200),
                               (int)clamp_long(v[2], 1, 200));
    sds out = canvas_render(cv, sds_empty());
    canvas_free(cv);
    out = sds_cat(out, "\nGeorg Nees - schotter, plotter on paper, 1968. " LOLWUT_VERSION_LINE);
    reply_verbatim(c, out, sds_len(out), "txt");
    sds_free(out);
}

/* ---------------------------------------------------------- skyline */

/* The four grey levels, darkest first: foreground;background codes. */
static const char *const sky_colors[4] = {"0;30;40", "0;90;100", "0;37;47", "0;97;107"};
enum { SKY_BLACK = 0, SKY_DARK = 1, SKY_LIGHT = 2, SKY_WHITE = 3 };

static void sky_rect(canvas *cv, int x0, int y0, int w, int h, unsigned char color) {
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++)
            if (x >= 0 && y >= 0 && x < cv->width && y < cv->height)
                cv->px[(size_t)y * (size_t)cv->width + (size_t)x] = color;
}

/* One row of buildings of one colour, standing on the bottom line, each
 * at most max_frac of the picture's height; windows on the nearest row. */
static void sky_layer(canvas *cv, unsigned char color, float min_frac, float max_frac, int windows) {
    int x = -(rand() % 4);
    while (x < cv->width) {
        int w = 6 + rand() % 10;
        float frac = min_frac + rand_unit() * (max_frac - min_frac);
        int h = (int)(frac * (float)cv->height);
        int top = cv->height - h;
        sky_rect(cv, x, top, w, h, color);
        if (windows)
            for (int wy = top + 2; wy < cv->height - 1; wy += 2)
                for (int wx = x + 2; wx + 1 < x + w - 1; wx += 4)
                    sky_rect(cv, wx, wy, 2, 1, rand() % 2 ? SKY_LIGHT : SKY_DARK);
        x += w + 1 + rand() % 3;
    }
}

/* VERSION 6 [cols [rows]], defaults 80 20, each clamped to 1-1000. */
static void lolwut6(client *c, int first) {
    long long v[2] = {80, 20};
    for (int i = 0; i < 2 && first + i < c->argc; i++) {
        if (!string2ll(c->argv[first + i], sds_len(c->argv[first + i]), &v[i])) {
            reply_error_not_integer(c);
            return;
        }
    }
    canvas *cv = canvas_new((int)clamp_long(v[0], 1, 1000), (int)clamp_long(v[1], 1, 1000));
    memset(cv->px, SKY_WHITE, (size_t)cv->width * (size_t)cv->height);
    if (cv->height > 1) {
        sky_layer(cv, SKY_LIGHT, 0.5f, 0.95f, 0);
        sky_layer(cv, SKY_DARK, 0.3f, 0.7f, 0);
        sky_layer(cv, SKY_BLACK, 0.2f, 0.6f, 1);
    }
    char cell[4][32]; /* one pixel of each colour, formatted once */
    int cell_len[4];
    for (int i = 0; i < 4; i++) cell_len[i] = snprintf(cell[i], sizeof(cell[i]), "\033[%sm \033[0m", sky_colors[i]);
    sds out = sds_empty();
    for (int y = 0; y < cv->height; y++) {
        for (int x = 0; x < cv->width; x++) {
            unsigned char color = cv->px[(size_t)y * (size_t)cv->width + (size_t)x];
            out = sds_cat_len(out, cell[color], (size_t)cell_len[color]);
        }
        out = sds_cat_len(out, "\n", 1);
    }
    canvas_free(cv);
    out = sds_cat(out, "Dedicated to the 8 bit game developers of past and present.\n"
                       "Original 8 bit image from Plaguemon by hikikomori. " LOLWUT_VERSION_LINE);
    reply_verbatim(c, out, sds_len(out), "txt");
    sds_free(out);
}

static void lolwut_command(client *c) {
    long long version = 0;
    if (c->argc >= 3 && strcasecmp(c->argv[1], "version") == 0) {
        if (!string2ll(c->argv[2], sds_len(c->argv[2]), &version)) {
            reply_error_not_integer(c);
            return;
        }
        if (version == 5 || version == 6) {
            if (version == 5) lolwut5(c, 3);
            else lolwut6(c, 3);
            return;
        }
    }
    reply_verbatim(c, LOLWUT_VERSION_LINE, sizeof(LOLWUT_VERSION_LINE) - 1, "txt");
}

redis_command lolwut_commands[] = {
    {.name = "lolwut", .proc = lolwut_command, .arity = -1, .flags = CMD_READONLY | CMD_FAST, .group = "server",
     .since = "5.0.0", .summary = "Display some computer art and the Redis version", .complexity = NULL},
    {0}};
