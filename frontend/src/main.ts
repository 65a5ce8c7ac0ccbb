import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { transportHooks } from './api/client'
import { createAppI18n } from './i18n'
import { createAppRouter } from './router'
import { usePreferences } from './stores/preferences'
import { useProgress } from './stores/progress'

const pinia = createPinia()
const preferences = usePreferences(pinia)
const progress = useProgress(pinia)
const i18n = createAppI18n(preferences.language)

// Every request says the UI's language and shows in the progress bar.
transportHooks.language = () => preferences.language
transportHooks.onRequest = (delta) => progress.track(delta)

createApp(App).use(pinia).use(i18n).use(createAppRouter(pinia)).mount('#app')
