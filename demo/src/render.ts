import sharp from 'sharp';
import type { Scene } from './scenes/scene.js';

/** One rendered frame as raw RGB (what ffmpeg or the pipeline consumes). */
export async function renderRgb(scene: Scene<unknown>, t: number): Promise<Buffer> {
  return sharp(Buffer.from(scene.svg(t))).removeAlpha().raw().toBuffer();
}

export async function renderPng(scene: Scene<unknown>, t: number): Promise<Buffer> {
  return sharp(Buffer.from(scene.svg(t))).png().toBuffer();
}
