#include "idxw.h"

void put_be32(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

size_t idx_header(unsigned char *out, int labels, unsigned count, unsigned rows, unsigned cols)
{
    put_be32(out, labels ? 0x801 : 0x803);
    put_be32(out + 4, count);
    if (labels)
        return 8;
    put_be32(out + 8, rows);
    put_be32(out + 12, cols);
    return 16;
}
