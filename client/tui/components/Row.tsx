/** A table row built from fixed-width cells (ink-table crashes with Ink 6); the cursor row is inverted. */
import { Box, Text } from 'ink';

export interface Cell {
  text: string;
  /** Columns; the last cell takes the rest when absent. */
  width?: number;
  color?: string;
  dim?: boolean;
  bold?: boolean;
}

export function Row({ cells, focused = false, header = false }: { cells: Cell[]; focused?: boolean; header?: boolean }) {
  return (
    <Box>
      <Text inverse={focused}>{focused ? '›' : ' '}</Text>
      {cells.map((cell, index) => (
        <Box key={index} {...(cell.width !== undefined ? { width: cell.width, flexShrink: 0 } : { flexGrow: 1 })} paddingLeft={1}>
          <Text wrap="truncate-end" inverse={focused} bold={header || cell.bold === true} dimColor={cell.dim === true} {...(cell.color ? { color: cell.color } : {})}>
            {cell.text}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
