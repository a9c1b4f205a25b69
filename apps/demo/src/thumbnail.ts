import { IsInt, IsUrl, Max, Min } from 'class-validator';

/** The queue the demo's jobs go through, and the stream its processor reports to. */
export const THUMBNAILS_QUEUE = 'thumbnails';
export const THUMBNAIL_EVENTS = 'thumbnail-events';

/** What a `render` job carries; validated before the processor runs it. */
export class RenderThumbnail {
  @IsUrl({ require_tld: false })
  url!: string;

  @IsInt()
  @Min(16)
  @Max(4096)
  width!: number;
}

/** What a `render` job returns. */
export interface RenderResult {
  thumbnail: string;
}

/** Appended to the THUMBNAIL_EVENTS stream for each rendered thumbnail. */
export interface ThumbnailRendered {
  jobId: string;
  url: string;
  thumbnail: string;
}
