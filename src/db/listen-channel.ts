import type pg from 'pg';

export interface ChannelListener {
  close(): Promise<void>;
}

/**
 * LISTEN on one dedicated pooled connection. The connection goes back to the pool when
 * LISTEN fails as well as on close, so a failed start never leaks it.
 */
export async function listenChannel(pool: pg.Pool, channel: string, onNotify: () => void): Promise<ChannelListener> {
  const client = await pool.connect();
  try {
    client.on('notification', onNotify);
    await client.query(`listen ${client.escapeIdentifier(channel)}`);
  } catch (error) {
    client.removeListener('notification', onNotify);
    client.release(error as Error);
    throw error;
  }
  return {
    async close() {
      client.removeListener('notification', onNotify);
      await client.query('unlisten *').catch(() => undefined);
      client.release();
    },
  };
}
