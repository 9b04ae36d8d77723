import { render } from 'preact';
import '@picocss/pico/css/pico.min.css';
import './app.css';

render(<p>Lead Unlock console</p>, document.getElementById('app')!);
