/* im2col / col2im for one image: the column matrix is (C*kh*kw, Ho*Wo), row-major, so that
 * a convolution is one GEMM with the (K, C*kh*kw) weight matrix. */
#ifndef QB_IM2COL_H
#define QB_IM2COL_H

typedef struct {
    int c, h, w;      /* input channels (of one group) and spatial size */
    int kh, kw, stride, pad;
    int ho, wo;
} ConvGeom;

/* 0 when the window does not fit (C's division would round a negative span up to 1). */
static inline int conv_out_size(int in, int k, int stride, int pad)
{
    return in + 2 * pad < k ? 0 : (in + 2 * pad - k) / stride + 1;
}

/* x: (C, H, W) -> col: (C*kh*kw, Ho*Wo); padding reads as zero. */
void im2col(const ConvGeom *g, const float *x, float *col);
/* dx (C, H, W) += col2im(col): the adjoint of im2col. */
void col2im_add(const ConvGeom *g, const float *col, float *dx);

#endif
