import { useEffect, useState } from 'preact/hooks';
import { Route, Router, Switch } from 'wouter-preact';
import { BASE, whenSignedOut } from './api';
import { Layout } from './components/layout';
import { BoughtPage } from './pages/bought';
import { LeadsPage } from './pages/leads';
import { ComparePage } from './pages/compare';
import { ReturnsPage } from './pages/returns';
import { SettingsPage } from './pages/settings';
import { SpendingPage } from './pages/spending';
import { SignedOut } from './pages/signed-out';
import { useTitle } from './use-api';

function NotFound() {
  useTitle('No such page');
  return <h1>No such page</h1>;
}

/** Path routing under /portal (portalPages serves the shell for every page path). */
export function App() {
  const [signedOut, setSignedOut] = useState(false);
  useEffect(() => whenSignedOut(() => setSignedOut(true)), []);
  // A 401 from any call: how to get a sign-in link, and nothing else.
  if (signedOut) return <SignedOut />;
  return (
    <Router base={BASE}>
      <Layout>
        <Switch>
          <Route path="/" component={LeadsPage} />
          <Route path="/bought" component={BoughtPage} />
          <Route path="/returns" component={ReturnsPage} />
          <Route path="/spending" component={SpendingPage} />
          <Route path="/settings" component={SettingsPage} />
          <Route path="/compare" component={ComparePage} />
          <Route component={NotFound} />
        </Switch>
      </Layout>
    </Router>
  );
}
