// Test pictures made on the fly with sharp, carrying the identifying metadata a phone writes.
import sharp from 'sharp';

/** A small JPEG with EXIF camera make/model, date, owner and a GPS position. */
export async function jpegWithGps(marker = 'MARKER'): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'SujaritTestCam', Model: `Model-${marker}`, Artist: `Artist-${marker}`, Software: 'TestSoft 1.0' },
      IFD2: { DateTimeOriginal: '2026:11:01 10:11:12' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '13/1 45/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '100/1 30/1 0/1' },
    })
    .toBuffer();
}

export async function plainPng(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 1 } } })
    .png()
    .toBuffer();
}
