import { Route, Router, Switch } from 'wouter-preact';
import { BASE } from './api';
import { Layout, useTitle } from './components/layout';
import { Attention } from './pages/attention';
import { Audit } from './pages/audit';
import { Dashboard } from './pages/dashboard';
import { Forms } from './pages/forms';
import { LeadPage } from './pages/lead';
import { Leads } from './pages/leads';
import { ProviderPage } from './pages/provider';
import { Providers } from './pages/providers';
import { Catalogue } from './pages/catalogue';
import { Returns } from './pages/returns';
import { SignIn } from './pages/sign-in';
import { Invite } from './pages/invite';
import { Operators } from './pages/operators';
import { Account } from './pages/account';
import { NewInquiry } from './sandbox/new-inquiry';
import { Phones } from './sandbox/phones';

function NotFound() {
  useTitle('No such page');
  return <h1>No such page</h1>;
}

/** Path routing under /admin (the console function serves its shell for every page path). */
export function App() {
  return (
    <Router base={BASE}>
      <Switch>
        <Route path="/sign-in" component={SignIn} />
        <Route path="/invite" component={Invite} />
        <Route>
          <Layout>
            <Switch>
              <Route path="/" component={Dashboard} />
              <Route path="/leads">{() => <Leads />}</Route>
              <Route path="/leads/:id">{(p: { id: string }) => <LeadPage id={p.id} />}</Route>
              <Route path="/providers">{() => <Providers />}</Route>
              <Route path="/providers/:id">{(p: { id: string }) => <ProviderPage id={p.id} />}</Route>
              <Route path="/catalogue" component={Catalogue} />
              <Route path="/returns" component={Returns} />
              <Route path="/attention" component={Attention} />
              <Route path="/forms" component={Forms} />
              <Route path="/audit" component={Audit} />
              <Route path="/operators" component={Operators} />
              <Route path="/account" component={Account} />
              {SANDBOX && <Route path="/phones" component={Phones} />}
              {SANDBOX && <Route path="/inquiry" component={NewInquiry} />}
              <Route component={NotFound} />
            </Switch>
          </Layout>
        </Route>
      </Switch>
    </Router>
  );
}
