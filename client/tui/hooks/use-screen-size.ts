/** The terminal's size, following resizes; 80x24 when the output is not a terminal (tests). */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface ScreenSize {
  columns: number;
  rows: number;
}

function sizeOf(stdout: NodeJS.WriteStream): ScreenSize {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

export function useScreenSize(): ScreenSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const onResize = (): void => setSize(sizeOf(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
