import sharp from 'sharp';

/** A PNG of one colour, made here: a template's logo, icon or strip in a test. */
export const solidPng = (width: number, height: number, colour = '#c2410c') =>
  sharp({ create: { width, height, channels: 4, background: colour } })
    .png()
    .toBuffer();
