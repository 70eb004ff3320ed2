/** Catches a screen that fails to render (a tracker deleted meanwhile, a broken data dir): the error view and a way back, never a stack trace. */
import { Component, type ReactNode } from 'react';
import { useNavigation } from '../hooks/use-navigation.js';
import { ErrorView } from './ErrorView.js';
import { Screen } from './Screen.js';

function Failed({ error }: { error: unknown }) {
  const navigation = useNavigation();
  return (
    <Screen title="Error" bindings={[{ keys: ['esc', 'q'], label: navigation.isFirst ? 'quit' : 'back', run: () => navigation.back() }]}>
      <ErrorView error={error} />
    </Screen>
  );
}

export class ScreenBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: unknown } {
    return { error };
  }

  override render(): ReactNode {
    return this.state.error ? <Failed error={this.state.error} /> : this.props.children;
  }
}
